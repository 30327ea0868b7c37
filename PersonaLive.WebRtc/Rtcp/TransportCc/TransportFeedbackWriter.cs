using System.Buffers.Binary;

namespace PersonaLive.WebRtc.Rtcp.TransportCc;

/// <summary>
/// Writes a transport-cc feedback (RTPFB FMT 15, draft-holmer-rmcat-transport-wide-cc-extensions-01
/// section 3.1) for a run of consecutive transport-wide sequence numbers. Chunks are chosen greedily:
/// a run-length chunk for 14 or more equal symbols (or the equal remainder), else a 1-bit vector when
/// the next 14 need no large delta, else a 2-bit vector of 7. Deltas go in 250 µs ticks, small (0..255)
/// as one byte, others as a signed 16-bit value; padding to 32 bits uses the P bit (RFC 3550 section
/// 6.4.1). Byte-buffer logic only.
/// </summary>
public static class TransportFeedbackWriter
{
    /// <summary>Largest single delta the two-byte form carries (ticks).</summary>
    public const int MaxDeltaTicks = short.MaxValue;

    /// <summary>
    /// Writes the packet for <paramref name="arrivalsUs"/> (one entry per sequence number from
    /// <paramref name="baseSequence"/> on; negative = not received, else arrival time in µs on the
    /// receiver's clock). The first entry must be received and deltas between received packets must
    /// fit <see cref="MaxDeltaTicks"/> (the caller splits feedback there). Returns the bytes written.
    /// </summary>
    public static int Write(Span<byte> b, uint senderSsrc, uint mediaSsrc, ushort baseSequence, byte feedbackCount,
        ReadOnlySpan<long> arrivalsUs)
    {
        int count = arrivalsUs.Length;
        if (count is 0 or > TransportFeedback.MaxPacketStatusCount || arrivalsUs[0] < 0)
        {
            throw new ArgumentException("Feedback needs 1.. packets and a received first one.", nameof(arrivalsUs));
        }

        long reference = arrivalsUs[0] / TransportFeedback.ReferenceTickUs;
        long previousTicks = reference * TransportFeedback.ReferenceTickUs / TransportFeedback.DeltaTickUs;
        Span<byte> symbols = count <= 1024 ? stackalloc byte[count] : new byte[count];
        Span<short> deltas = count <= 1024 ? stackalloc short[count] : new short[count];
        for (int i = 0; i < count; i++)
        {
            if (arrivalsUs[i] < 0)
            {
                symbols[i] = 0;
                continue;
            }

            long ticks = arrivalsUs[i] / TransportFeedback.DeltaTickUs;
            long delta = ticks - previousTicks;
            if (delta is < short.MinValue or > MaxDeltaTicks)
            {
                throw new ArgumentException("A receive delta does not fit 16 bits; split the feedback.", nameof(arrivalsUs));
            }

            previousTicks = ticks;
            deltas[i] = (short)delta;
            symbols[i] = delta is >= 0 and <= 255 ? (byte)1 : (byte)2;
        }

        BinaryPrimitives.WriteUInt32BigEndian(b[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(b[8..], mediaSsrc);
        BinaryPrimitives.WriteUInt16BigEndian(b[12..], baseSequence);
        BinaryPrimitives.WriteUInt16BigEndian(b[14..], (ushort)count);
        int reference24 = (int)(reference & 0xFFFFFF);
        b[16] = (byte)(reference24 >> 16);
        b[17] = (byte)(reference24 >> 8);
        b[18] = (byte)reference24;
        b[19] = feedbackCount;
        int pos = 20;
        int i0 = 0;
        while (i0 < count)
        {
            int run = 1;
            while (i0 + run < count && symbols[i0 + run] == symbols[i0] && run < 0x1FFF)
            {
                run++;
            }

            ushort chunk;
            if (run >= 14 || i0 + run == count)
            {
                chunk = (ushort)((symbols[i0] << 13) | run);
                i0 += run;
            }
            else if (FitsOneBit(symbols.Slice(i0, Math.Min(14, count - i0))))
            {
                chunk = 0x8000;
                for (int k = 0; k < 14 && i0 < count; k++, i0++)
                {
                    chunk |= (ushort)(symbols[i0] << (13 - k));
                }
            }
            else
            {
                chunk = 0xC000;
                for (int k = 0; k < 7 && i0 < count; k++, i0++)
                {
                    chunk |= (ushort)(symbols[i0] << (12 - 2 * k));
                }
            }

            BinaryPrimitives.WriteUInt16BigEndian(b[pos..], chunk);
            pos += 2;
        }

        for (int i = 0; i < count; i++)
        {
            if (symbols[i] == 1)
            {
                b[pos++] = (byte)deltas[i];
            }
            else if (symbols[i] == 2)
            {
                BinaryPrimitives.WriteInt16BigEndian(b[pos..], deltas[i]);
                pos += 2;
            }
        }

        int padded = (pos + 3) & ~3;
        b[pos..padded].Clear();
        b[0] = 0x80 | 15;
        if (padded > pos)
        {
            b[0] |= 0x20; // RFC 3550 section 6.4.1 padding: the last octet counts the padding
            b[padded - 1] = (byte)(padded - pos);
        }

        b[1] = RtcpTypes.TransportFeedback;
        BinaryPrimitives.WriteUInt16BigEndian(b[2..], (ushort)(padded / 4 - 1));
        return padded;
    }

    /// <summary>Upper bound of the packet size for <paramref name="count"/> statuses (all two-bit, large deltas).</summary>
    public static int MaxLength(int count) => 20 + 2 * ((count + 6) / 7) + 2 * count + 3;

    private static bool FitsOneBit(ReadOnlySpan<byte> symbols)
    {
        foreach (byte s in symbols)
        {
            if (s > 1)
            {
                return false;
            }
        }

        return true;
    }
}
