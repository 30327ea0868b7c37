using System.Buffers.Binary;
using System.Text;
using PersonaLive.WebRtc.Rtcp.TransportCc;

namespace PersonaLive.WebRtc.Rtcp;

/// <summary>
/// Everything of interest found in one (compound or reduced-size, RFC 5506) RTCP datagram. Parsing walks
/// the packets with strict length checks (count * 24 within the length, FCI sizes, length * 4 within the
/// datagram) and fails as a whole on the first inconsistency; unknown packet types are skipped.
/// </summary>
public sealed class RtcpReport
{
    private const int MaxItems = 256;

    public List<SenderInfo> SenderReports { get; } = new();
    public List<ReportBlock> ReportBlocks { get; } = new();
    public List<uint> PliMediaSsrcs { get; } = new();
    public List<uint> FirMediaSsrcs { get; } = new();
    public List<ushort> NackedSequences { get; } = new();
    public List<uint> ByeSsrcs { get; } = new();
    public Dictionary<uint, string> Cnames { get; } = new();

    /// <summary>Transport-cc feedbacks (RTPFB FMT 15), at most a few per datagram.</summary>
    public List<TransportFeedback> TransportFeedbacks { get; } = new();

    /// <summary>Last REMB bitrate in bits per second, if any.</summary>
    public ulong? RembBitrate { get; private set; }

    public int PacketCount { get; private set; }

    /// <summary>Parses an RTCP datagram; null when it is malformed.</summary>
    public static RtcpReport? Parse(ReadOnlySpan<byte> data)
    {
        var report = new RtcpReport();
        return report.TryParse(data) ? report : null;
    }

    private bool TryParse(ReadOnlySpan<byte> data)
    {
        int pos = 0;
        if (data.Length < 4)
        {
            return false;
        }

        while (pos < data.Length)
        {
            if (data.Length - pos < 4 || (data[pos] >> 6) != 2)
            {
                return false;
            }

            int count = data[pos] & 0x1F;
            byte type = data[pos + 1];
            int length = (BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 2)..]) + 1) * 4;
            if (length > data.Length - pos)
            {
                return false;
            }

            var packet = data.Slice(pos, length);
            if ((data[pos] & 0x20) != 0)
            {
                int pad = packet[^1];
                if (pad == 0 || pad > length - 4)
                {
                    return false;
                }

                packet = packet[..(length - pad)];
            }

            if (!ParseOne(packet, type, count))
            {
                return false;
            }

            PacketCount++;
            pos += length;
        }

        return true;
    }

    private bool ParseOne(ReadOnlySpan<byte> p, byte type, int count)
    {
        switch (type)
        {
            case RtcpTypes.SenderReport:
                if (p.Length < 28 + 24 * count)
                {
                    return false;
                }

                SenderReports.Add(new SenderInfo(
                    BinaryPrimitives.ReadUInt32BigEndian(p[4..]),
                    BinaryPrimitives.ReadUInt64BigEndian(p[8..]),
                    BinaryPrimitives.ReadUInt32BigEndian(p[16..]),
                    BinaryPrimitives.ReadUInt32BigEndian(p[20..]),
                    BinaryPrimitives.ReadUInt32BigEndian(p[24..])));
                return ReadBlocks(p[28..], count);
            case RtcpTypes.ReceiverReport:
                return p.Length >= 8 + 24 * count && ReadBlocks(p[8..], count);
            case RtcpTypes.SourceDescription:
                return ReadSdes(p, count);
            case RtcpTypes.Goodbye:
                if (p.Length < 4 + 4 * count)
                {
                    return false;
                }

                for (int i = 0; i < count; i++)
                {
                    ByeSsrcs.Add(BinaryPrimitives.ReadUInt32BigEndian(p[(4 + 4 * i)..]));
                }

                return true;
            case RtcpTypes.TransportFeedback:
                return ReadTransportFeedback(p, count);
            case RtcpTypes.PayloadFeedback:
                return ReadPayloadFeedback(p, count);
            default:
                return true; // XR, APP and others are skipped
        }
    }

    private bool ReadBlocks(ReadOnlySpan<byte> p, int count)
    {
        for (int i = 0; i < count; i++)
        {
            var b = p.Slice(24 * i, 24);
            uint lostWord = BinaryPrimitives.ReadUInt32BigEndian(b[4..]);
            int cumulative = (int)(lostWord & 0xFFFFFF);
            if ((cumulative & 0x800000) != 0)
            {
                cumulative -= 0x1000000;
            }

            ReportBlocks.Add(new ReportBlock(
                BinaryPrimitives.ReadUInt32BigEndian(b),
                (byte)(lostWord >> 24),
                cumulative,
                BinaryPrimitives.ReadUInt32BigEndian(b[8..]),
                BinaryPrimitives.ReadUInt32BigEndian(b[12..]),
                BinaryPrimitives.ReadUInt32BigEndian(b[16..]),
                BinaryPrimitives.ReadUInt32BigEndian(b[20..])));
        }

        return true;
    }

    private bool ReadSdes(ReadOnlySpan<byte> p, int count)
    {
        int pos = 4;
        for (int c = 0; c < count; c++)
        {
            if (p.Length - pos < 4)
            {
                return false;
            }

            uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(p[pos..]);
            pos += 4;
            while (true)
            {
                if (pos >= p.Length)
                {
                    return false;
                }

                byte item = p[pos];
                if (item == 0)
                {
                    pos = (pos + 4) & ~3; // end of chunk, pad to a word
                    break;
                }

                if (pos + 2 > p.Length || pos + 2 + p[pos + 1] > p.Length)
                {
                    return false;
                }

                int len = p[pos + 1];
                if (item == 1 && Cnames.Count < MaxItems)
                {
                    Cnames[ssrc] = Encoding.UTF8.GetString(p.Slice(pos + 2, len));
                }

                pos += 2 + len;
            }
        }

        return true;
    }

    private bool ReadTransportFeedback(ReadOnlySpan<byte> p, int fmt)
    {
        if (p.Length < 12)
        {
            return false;
        }

        if (fmt == RtcpTypes.FmtGenericNack)
        {
            if ((p.Length - 12) % 4 != 0)
            {
                return false;
            }

            for (int pos = 12; pos < p.Length; pos += 4)
            {
                ushort pid = BinaryPrimitives.ReadUInt16BigEndian(p[pos..]);
                ushort blp = BinaryPrimitives.ReadUInt16BigEndian(p[(pos + 2)..]);
                AddNack(pid);
                for (int bit = 0; bit < 16; bit++)
                {
                    if ((blp & (1 << bit)) != 0)
                    {
                        AddNack((ushort)(pid + bit + 1));
                    }
                }
            }
        }

        if (fmt == RtcpTypes.FmtTransportCc)
        {
            var feedback = TransportFeedbackParser.Parse(p);
            if (feedback is null)
            {
                return false;
            }

            if (TransportFeedbacks.Count < 16)
            {
                TransportFeedbacks.Add(feedback);
            }
        }

        return true; // others: not negotiated, skipped
    }

    private void AddNack(ushort seq)
    {
        if (NackedSequences.Count < MaxItems)
        {
            NackedSequences.Add(seq);
        }
    }

    private bool ReadPayloadFeedback(ReadOnlySpan<byte> p, int fmt)
    {
        if (p.Length < 12)
        {
            return false;
        }

        uint mediaSsrc = BinaryPrimitives.ReadUInt32BigEndian(p[8..]);
        switch (fmt)
        {
            case RtcpTypes.FmtPli:
                PliMediaSsrcs.Add(mediaSsrc);
                return true;
            case RtcpTypes.FmtFir:
                if ((p.Length - 12) % 8 != 0)
                {
                    return false;
                }

                for (int pos = 12; pos < p.Length; pos += 8)
                {
                    FirMediaSsrcs.Add(BinaryPrimitives.ReadUInt32BigEndian(p[pos..]));
                }

                return true;
            case RtcpTypes.FmtApplication:
                if (p.Length >= 20 && p[12] == 'R' && p[13] == 'E' && p[14] == 'M' && p[15] == 'B')
                {
                    int n = p[16];
                    if (p.Length < 20 + 4 * n)
                    {
                        return false;
                    }

                    int exponent = p[17] >> 2;
                    ulong mantissa = ((ulong)(p[17] & 3) << 16) | BinaryPrimitives.ReadUInt16BigEndian(p[18..]);
                    RembBitrate = exponent >= 46 ? ulong.MaxValue : mantissa << exponent;
                }

                return true;
            default:
                return true;
        }
    }
}
