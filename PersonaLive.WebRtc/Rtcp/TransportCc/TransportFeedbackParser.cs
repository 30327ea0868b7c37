using System.Buffers;
using System.Buffers.Binary;

namespace PersonaLive.WebRtc.Rtcp.TransportCc;

/// <summary>
/// Reads the FCI of a transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
/// section 3.1.1 to 3.1.5). Packet status chunks are either run-length (T=0: a 2-bit symbol repeated
/// up to 8191 times) or status vectors (T=1: fourteen 1-bit or seven 2-bit symbols); symbol 1 means a
/// one-byte unsigned delta follows, 2 a two-byte signed delta, 0 not received, 3 is reserved and
/// rejects the packet. Every length is checked against the packet; the status count is capped at
/// <see cref="TransportFeedback.MaxPacketStatusCount"/>. Byte-buffer logic only; <see cref="TryParse"/>
/// writes into caller-owned storage and allocates nothing (it runs for every feedback, 20 a second).
/// </summary>
public static class TransportFeedbackParser
{
    /// <summary>Parses a whole RTPFB FMT 15 packet (header included, padding already removed); null when malformed.</summary>
    public static TransportFeedback? Parse(ReadOnlySpan<byte> packet)
    {
        var packets = new List<TransportPacketStatus>();
        return TryParse(packet, packets, out var h)
            ? new TransportFeedback(h.SenderSsrc, h.MediaSsrc, h.BaseSequence, h.ReferenceTime64Ms, h.FeedbackCount, packets.ToArray())
            : null;
    }

    /// <summary>
    /// Parses a whole RTPFB FMT 15 packet (header included, padding already removed), appending one
    /// status per packet to <paramref name="packets"/> (<see cref="TransportFeedbackHeader.FirstPacket"/>
    /// says where they start); false when malformed, and then <paramref name="packets"/> is as it was.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, List<TransportPacketStatus> packets, out TransportFeedbackHeader header)
    {
        ArgumentNullException.ThrowIfNull(packets);
        header = default;
        if (packet.Length < 20)
        {
            return false;
        }

        uint sender = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        uint media = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
        ushort baseSeq = BinaryPrimitives.ReadUInt16BigEndian(packet[12..]);
        int count = BinaryPrimitives.ReadUInt16BigEndian(packet[14..]);
        int reference = (packet[16] << 16) | (packet[17] << 8) | packet[18];
        if ((reference & 0x800000) != 0)
        {
            reference -= 0x1000000; // 24-bit two's complement
        }

        byte fbCount = packet[19];
        if (count == 0 || count > TransportFeedback.MaxPacketStatusCount)
        {
            return false;
        }

        byte[]? rented = count <= 1024 ? null : ArrayPool<byte>.Shared.Rent(count);
        Span<byte> symbols = rented is null ? stackalloc byte[count] : rented.AsSpan(0, count);
        int first = packets.Count;
        try
        {
            int pos = ReadChunks(packet, symbols);
            if (pos < 0 || !ReadDeltas(packet, pos, symbols, baseSeq, (long)reference * TransportFeedback.ReferenceTickUs, packets, out pos)
                || packet.Length - pos >= 4)
            {
                packets.RemoveRange(first, packets.Count - first);
                return false;
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        header = new TransportFeedbackHeader(sender, media, baseSeq, reference, fbCount, first, count);
        return true;
    }

    /// <summary>Fills one symbol per packet from the status chunks; returns the position after them, -1 when malformed.</summary>
    private static int ReadChunks(ReadOnlySpan<byte> packet, Span<byte> symbols)
    {
        int count = symbols.Length;
        int pos = 20;
        int filled = 0;
        while (filled < count)
        {
            if (pos + 2 > packet.Length)
            {
                return -1;
            }

            ushort chunk = BinaryPrimitives.ReadUInt16BigEndian(packet[pos..]);
            pos += 2;
            if ((chunk & 0x8000) == 0)
            {
                byte symbol = (byte)((chunk >> 13) & 3);
                int run = chunk & 0x1FFF;
                if (run == 0 || symbol == 3)
                {
                    return -1;
                }

                int n = Math.Min(run, count - filled);
                symbols.Slice(filled, n).Fill(symbol);
                filled += n;
            }
            else if ((chunk & 0x4000) == 0)
            {
                for (int i = 13; i >= 0 && filled < count; i--)
                {
                    symbols[filled++] = (byte)((chunk >> i) & 1);
                }
            }
            else
            {
                for (int i = 12; i >= 0 && filled < count; i -= 2)
                {
                    byte symbol = (byte)((chunk >> i) & 3);
                    if (symbol == 3)
                    {
                        return -1;
                    }

                    symbols[filled++] = symbol;
                }
            }
        }

        return pos;
    }

    /// <summary>Reads the receive deltas the symbols announce and appends the statuses; false when the packet is cut.</summary>
    private static bool ReadDeltas(ReadOnlySpan<byte> packet, int pos, ReadOnlySpan<byte> symbols, ushort baseSeq, long offset,
        List<TransportPacketStatus> packets, out int end)
    {
        end = pos;
        for (int i = 0; i < symbols.Length; i++)
        {
            ushort seq = (ushort)(baseSeq + i);
            switch (symbols[i])
            {
                case 1:
                    if (pos + 1 > packet.Length)
                    {
                        return false;
                    }

                    offset += packet[pos++] * TransportFeedback.DeltaTickUs;
                    packets.Add(new TransportPacketStatus(seq, true, offset));
                    break;
                case 2:
                    if (pos + 2 > packet.Length)
                    {
                        return false;
                    }

                    offset += BinaryPrimitives.ReadInt16BigEndian(packet[pos..]) * TransportFeedback.DeltaTickUs;
                    pos += 2;
                    packets.Add(new TransportPacketStatus(seq, true, offset));
                    break;
                default:
                    packets.Add(new TransportPacketStatus(seq, false, 0));
                    break;
            }
        }

        end = pos;
        return true;
    }
}
