using System.Buffers.Binary;
using System.Text;

namespace PersonaLive.WebRtc.Rtcp;

/// <summary>
/// Writes RTCP packets into a caller buffer (RFC 3550 section 6, RFC 4585 section 6, RFC 5104 section
/// 4.3.1, draft-alvestrand-rmcat-remb). Each method returns the bytes written; lengths are in 32-bit
/// words minus one. Concatenate the results to build a compound packet.
/// </summary>
public static class RtcpWriter
{
    private static void Header(Span<byte> b, int countOrFmt, byte type, int totalLength)
    {
        b[0] = (byte)(0x80 | (countOrFmt & 0x1F));
        b[1] = type;
        BinaryPrimitives.WriteUInt16BigEndian(b[2..], (ushort)(totalLength / 4 - 1));
    }

    private static int WriteBlocks(Span<byte> b, ReadOnlySpan<ReportBlock> blocks)
    {
        int pos = 0;
        foreach (var r in blocks)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b[pos..], r.Ssrc);
            int lost = Math.Clamp(r.CumulativeLost, -0x800000, 0x7FFFFF);
            BinaryPrimitives.WriteUInt32BigEndian(b[(pos + 4)..], ((uint)r.FractionLost << 24) | ((uint)lost & 0xFFFFFF));
            BinaryPrimitives.WriteUInt32BigEndian(b[(pos + 8)..], r.ExtendedHighestSequence);
            BinaryPrimitives.WriteUInt32BigEndian(b[(pos + 12)..], r.Jitter);
            BinaryPrimitives.WriteUInt32BigEndian(b[(pos + 16)..], r.LastSenderReport);
            BinaryPrimitives.WriteUInt32BigEndian(b[(pos + 20)..], r.DelaySinceLastSenderReport);
            pos += 24;
        }

        return pos;
    }

    /// <summary>SR (PT 200) with up to 31 report blocks.</summary>
    public static int WriteSenderReport(Span<byte> b, SenderInfo info, ReadOnlySpan<ReportBlock> blocks)
    {
        int length = 28 + 24 * blocks.Length;
        Header(b, blocks.Length, RtcpTypes.SenderReport, length);
        BinaryPrimitives.WriteUInt32BigEndian(b[4..], info.Ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(b[8..], info.NtpTime);
        BinaryPrimitives.WriteUInt32BigEndian(b[16..], info.RtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(b[20..], info.PacketCount);
        BinaryPrimitives.WriteUInt32BigEndian(b[24..], info.OctetCount);
        WriteBlocks(b[28..], blocks);
        return length;
    }

    /// <summary>RR (PT 201).</summary>
    public static int WriteReceiverReport(Span<byte> b, uint ssrc, ReadOnlySpan<ReportBlock> blocks)
    {
        int length = 8 + 24 * blocks.Length;
        Header(b, blocks.Length, RtcpTypes.ReceiverReport, length);
        BinaryPrimitives.WriteUInt32BigEndian(b[4..], ssrc);
        WriteBlocks(b[8..], blocks);
        return length;
    }

    /// <summary>SDES (PT 202) with one chunk carrying CNAME, null-terminated and padded to 32 bits.</summary>
    public static int WriteSdesCname(Span<byte> b, uint ssrc, string cname)
    {
        Span<byte> text = stackalloc byte[Encoding.UTF8.GetMaxByteCount(Math.Min(cname.Length, 255))];
        int textLength = Math.Min(Encoding.UTF8.GetBytes(cname.AsSpan(0, Math.Min(cname.Length, 255)), text), 255);
        int chunk = 4 + 2 + textLength + 1; // ssrc, type, len, text, end item
        int padded = (chunk + 3) & ~3;
        int length = 4 + padded;
        b[..length].Clear();
        Header(b, 1, RtcpTypes.SourceDescription, length);
        BinaryPrimitives.WriteUInt32BigEndian(b[4..], ssrc);
        b[8] = 1; // CNAME
        b[9] = (byte)textLength;
        text[..textLength].CopyTo(b[10..]);
        return length;
    }

    /// <summary>BYE (PT 203) for one SSRC.</summary>
    public static int WriteBye(Span<byte> b, uint ssrc)
    {
        Header(b, 1, RtcpTypes.Goodbye, 8);
        BinaryPrimitives.WriteUInt32BigEndian(b[4..], ssrc);
        return 8;
    }

    /// <summary>Picture Loss Indication (PSFB FMT 1, RFC 4585 section 6.3.1).</summary>
    public static int WritePli(Span<byte> b, uint senderSsrc, uint mediaSsrc)
    {
        Header(b, RtcpTypes.FmtPli, RtcpTypes.PayloadFeedback, 12);
        BinaryPrimitives.WriteUInt32BigEndian(b[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(b[8..], mediaSsrc);
        return 12;
    }

    /// <summary>Full Intra Request (PSFB FMT 4, RFC 5104 section 4.3.1).</summary>
    public static int WriteFir(Span<byte> b, uint senderSsrc, uint mediaSsrc, byte sequenceNumber)
    {
        Header(b, RtcpTypes.FmtFir, RtcpTypes.PayloadFeedback, 20);
        BinaryPrimitives.WriteUInt32BigEndian(b[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(b[8..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(b[12..], mediaSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(b[16..], (uint)sequenceNumber << 24);
        return 20;
    }

    /// <summary>
    /// Generic NACK (RTPFB FMT 1, RFC 4585 section 6.2.1): each FCI carries a PID and a bitmap of the
    /// 16 following sequence numbers. <paramref name="lost"/> must be in ascending (wrapping) order.
    /// </summary>
    public static int WriteNack(Span<byte> b, uint senderSsrc, uint mediaSsrc, ReadOnlySpan<ushort> lost)
    {
        int pos = 12;
        int i = 0;
        while (i < lost.Length && pos + 4 <= b.Length)
        {
            ushort pid = lost[i];
            ushort blp = 0;
            int j = i + 1;
            while (j < lost.Length)
            {
                int d = (ushort)(lost[j] - pid);
                if (d < 1 || d > 16)
                {
                    break;
                }

                blp |= (ushort)(1 << (d - 1));
                j++;
            }

            BinaryPrimitives.WriteUInt16BigEndian(b[pos..], pid);
            BinaryPrimitives.WriteUInt16BigEndian(b[(pos + 2)..], blp);
            pos += 4;
            i = j;
        }

        Header(b, RtcpTypes.FmtGenericNack, RtcpTypes.TransportFeedback, pos);
        BinaryPrimitives.WriteUInt32BigEndian(b[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(b[8..], mediaSsrc);
        return pos;
    }

    /// <summary>
    /// Receiver Estimated Maximum Bitrate (PSFB FMT 15, "REMB", draft-alvestrand-rmcat-remb section 2.2):
    /// bitrate = mantissa (18 bits) * 2^exponent (6 bits).
    /// </summary>
    public static int WriteRemb(Span<byte> b, uint senderSsrc, ulong bitrate, ReadOnlySpan<uint> ssrcs)
    {
        int length = 20 + 4 * ssrcs.Length;
        Header(b, RtcpTypes.FmtApplication, RtcpTypes.PayloadFeedback, length);
        BinaryPrimitives.WriteUInt32BigEndian(b[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(b[8..], 0);
        b[12] = (byte)'R';
        b[13] = (byte)'E';
        b[14] = (byte)'M';
        b[15] = (byte)'B';
        int exponent = 0;
        ulong mantissa = bitrate;
        while (mantissa > 0x3FFFF)
        {
            mantissa >>= 1;
            exponent++;
        }

        b[16] = (byte)ssrcs.Length;
        b[17] = (byte)((exponent << 2) | (int)(mantissa >> 16));
        BinaryPrimitives.WriteUInt16BigEndian(b[18..], (ushort)mantissa);
        for (int i = 0; i < ssrcs.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b[(20 + 4 * i)..], ssrcs[i]);
        }

        return length;
    }
}
