using System.Buffers.Binary;

namespace PersonaLive.WebRtc.Rtcp.TransportCc;

/// <summary>
/// Reads the FCI of a transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
/// section 3.1.1 to 3.1.5). Packet status chunks are either run-length (T=0: a 2-bit symbol repeated
/// up to 8191 times) or status vectors (T=1: fourteen 1-bit or seven 2-bit symbols); symbol 1 means a
/// one-byte unsigned delta follows, 2 a two-byte signed delta, 0 not received, 3 is reserved and
/// rejects the packet. Every length is checked against the packet; the status count is capped at
/// <see cref="TransportFeedback.MaxPacketStatusCount"/>. Byte-buffer logic only.
/// </summary>
public static class TransportFeedbackParser
{
    /// <summary>Parses a whole RTPFB FMT 15 packet (header included, padding already removed); null when malformed.</summary>
    public static TransportFeedback? Parse(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 20)
        {
            return null;
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
            return null;
        }

        Span<byte> symbols = count <= 1024 ? stackalloc byte[count] : new byte[count];
        int pos = 20;
        int filled = 0;
        while (filled < count)
        {
            if (pos + 2 > packet.Length)
            {
                return null;
            }

            ushort chunk = BinaryPrimitives.ReadUInt16BigEndian(packet[pos..]);
            pos += 2;
            if ((chunk & 0x8000) == 0)
            {
                byte symbol = (byte)((chunk >> 13) & 3);
                int run = chunk & 0x1FFF;
                if (run == 0 || symbol == 3)
                {
                    return null;
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
                        return null;
                    }

                    symbols[filled++] = symbol;
                }
            }
        }

        var packets = new TransportPacketStatus[count];
        long offset = (long)reference * TransportFeedback.ReferenceTickUs;
        for (int i = 0; i < count; i++)
        {
            ushort seq = (ushort)(baseSeq + i);
            switch (symbols[i])
            {
                case 1:
                    if (pos + 1 > packet.Length)
                    {
                        return null;
                    }

                    offset += packet[pos++] * TransportFeedback.DeltaTickUs;
                    packets[i] = new TransportPacketStatus(seq, true, offset);
                    break;
                case 2:
                    if (pos + 2 > packet.Length)
                    {
                        return null;
                    }

                    offset += BinaryPrimitives.ReadInt16BigEndian(packet[pos..]) * TransportFeedback.DeltaTickUs;
                    pos += 2;
                    packets[i] = new TransportPacketStatus(seq, true, offset);
                    break;
                default:
                    packets[i] = new TransportPacketStatus(seq, false, 0);
                    break;
            }
        }

        return packet.Length - pos < 4 ? new TransportFeedback(sender, media, baseSeq, reference, fbCount, packets) : null;
    }
}
