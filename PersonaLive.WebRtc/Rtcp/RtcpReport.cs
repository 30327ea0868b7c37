using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using PersonaLive.WebRtc.Rtcp.TransportCc;

namespace PersonaLive.WebRtc.Rtcp;

/// <summary>
/// Everything of interest found in one (compound or reduced-size, RFC 5506) RTCP datagram. Parsing walks
/// the packets with strict length checks (count * 24 within the length, FCI sizes, length * 4 within the
/// datagram) and fails as a whole on the first inconsistency; unknown packet types are skipped.
/// A report can be refilled with <see cref="Read"/>: its lists keep their capacity and transport-cc
/// feedback is held as values (<see cref="TransportFeedbackHeaders"/> into <see cref="TransportFeedbackPackets"/>),
/// so a connection that reuses reports parses its RTCP (tens of datagrams a second) without allocating.
/// </summary>
public sealed partial class RtcpReport
{
    private const int MaxItems = 256;
    private const int MaxTransportFeedbacks = 16;

    private readonly List<(uint Ssrc, int Offset, int Length)> _cnames = new();
    private byte[] _cnameBytes = [];
    private int _cnameLength;

    public List<SenderInfo> SenderReports { get; } = new();
    public List<ReportBlock> ReportBlocks { get; } = new();
    public List<uint> PliMediaSsrcs { get; } = new();
    public List<uint> FirMediaSsrcs { get; } = new();
    public List<ushort> NackedSequences { get; } = new();
    public List<uint> ByeSsrcs { get; } = new();

    /// <summary>CNAMEs by SSRC (SDES, RFC 3550 section 6.5.1); decoded on each call, only for inspection.</summary>
    public IReadOnlyDictionary<uint, string> Cnames
    {
        get
        {
            var names = new Dictionary<uint, string>();
            foreach (var (ssrc, offset, length) in _cnames)
            {
                names[ssrc] = Encoding.UTF8.GetString(_cnameBytes, offset, length);
            }

            return names;
        }
    }

    /// <summary>Transport-cc feedbacks (RTPFB FMT 15), at most 16 per datagram: fixed fields and where their statuses start.</summary>
    public List<TransportFeedbackHeader> TransportFeedbackHeaders { get; } = new();

    /// <summary>The packet statuses of every feedback in <see cref="TransportFeedbackHeaders"/>, one after the other.</summary>
    public List<TransportPacketStatus> TransportFeedbackPackets { get; } = new();

    /// <summary>The transport-cc feedbacks as objects (allocates; for inspection and tests).</summary>
    public IReadOnlyList<TransportFeedback> TransportFeedbacks
    {
        get
        {
            var feedbacks = new List<TransportFeedback>(TransportFeedbackHeaders.Count);
            foreach (var h in TransportFeedbackHeaders)
            {
                feedbacks.Add(new TransportFeedback(h.SenderSsrc, h.MediaSsrc, h.BaseSequence, h.ReferenceTime64Ms, h.FeedbackCount,
                    TransportFeedbackPackets.GetRange(h.FirstPacket, h.PacketCount).ToArray()));
            }

            return feedbacks;
        }
    }

    /// <summary>The statuses of feedback <paramref name="index"/> of <see cref="TransportFeedbackHeaders"/>.</summary>
    public ReadOnlySpan<TransportPacketStatus> PacketsOf(int index)
    {
        var h = TransportFeedbackHeaders[index];
        return CollectionsMarshal.AsSpan(TransportFeedbackPackets).Slice(h.FirstPacket, h.PacketCount);
    }

    /// <summary>Last REMB bitrate in bits per second, if any.</summary>
    public ulong? RembBitrate { get; private set; }

    public int PacketCount { get; private set; }

    /// <summary>Parses an RTCP datagram; null when it is malformed.</summary>
    public static RtcpReport? Parse(ReadOnlySpan<byte> data)
    {
        var report = new RtcpReport();
        return report.Read(data) ? report : null;
    }

    /// <summary>Replaces this report's content with what <paramref name="data"/> holds; false when it is malformed.</summary>
    public bool Read(ReadOnlySpan<byte> data)
    {
        Clear();
        return TryParse(data);
    }

    private void Clear()
    {
        SenderReports.Clear();
        ReportBlocks.Clear();
        PliMediaSsrcs.Clear();
        FirMediaSsrcs.Clear();
        NackedSequences.Clear();
        ByeSsrcs.Clear();
        TransportFeedbackHeaders.Clear();
        TransportFeedbackPackets.Clear();
        if (TransportFeedbackPackets.Capacity > TransportFeedback.MaxPacketStatusCount)
        {
            TransportFeedbackPackets.Capacity = 1024; // a hostile datagram's many statuses are not kept by a reused report
        }

        _cnames.Clear();
        _cnameLength = 0;
        RembBitrate = null;
        PacketCount = 0;
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
                if (item == 1 && _cnames.Count < MaxItems)
                {
                    KeepCname(ssrc, p.Slice(pos + 2, len));
                }

                pos += 2 + len;
            }
        }

        return true;
    }

    /// <summary>Copies a CNAME's bytes into the report's own buffer (decoded only when <see cref="Cnames"/> is read).</summary>
    private void KeepCname(uint ssrc, ReadOnlySpan<byte> name)
    {
        if (_cnameLength + name.Length > _cnameBytes.Length)
        {
            Array.Resize(ref _cnameBytes, Math.Max(256, 2 * (_cnameLength + name.Length)));
        }

        name.CopyTo(_cnameBytes.AsSpan(_cnameLength));
        _cnames.Add((ssrc, _cnameLength, name.Length));
        _cnameLength += name.Length;
    }
}
