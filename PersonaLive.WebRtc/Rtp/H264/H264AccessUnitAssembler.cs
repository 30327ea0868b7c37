using PersonaLive.WebRtc.Codecs;

namespace PersonaLive.WebRtc.Rtp.H264;

/// <summary>
/// Reassembles H.264 access units from RTP packets (RFC 6184, packetization-mode 0 and 1) into Annex B
/// for the decoder. An access unit is the run of packets sharing one RTP timestamp, closed by the marker
/// bit (section 5.1) or by the next timestamp. Packets are keyed by unwrapped sequence number; a gap
/// waits <see cref="LossTimeoutMs"/> for NACK retransmission, then the unit is given up and the next
/// packet that can start a NAL (single, STAP-A, FU-A start) of a later unit becomes the next start.
/// After a loss, and at the start, only an IDR unit is handed out (<see cref="KeyframeNeeded"/> asks for
/// one); an IDR arriving without SPS/PPS gets the last ones seen prepended, and a unit holding only
/// parameter sets just updates them. Bounded in packets and bytes. Not thread-safe.
/// </summary>
public sealed partial class H264AccessUnitAssembler : IRtpFrameAssembler
{
    private const int MaxBufferedPackets = 1024;
    private const int MaxUnitBytes = 4 * 1024 * 1024;
    private const int ParameterSetTypes = (1 << H264Nal.Sps) | (1 << H264Nal.Pps);
    private const int VclTypes = (1 << H264Nal.NonIdrSlice) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << H264Nal.IdrSlice);
    private readonly SortedList<long, Stored> _packets = [];
    private readonly SequenceUnwrapper _unwrapper = new();
    private readonly List<byte[]> _unitPayloads = [];
    private readonly List<byte> _annexB = new(64 * 1024);
    private readonly H264ParameterSets _parameterSets = new();
    private long _nextSeq = -1;
    private long _blockedSinceMs = -1;
    private long _firstArrivalMs = -1;
    private bool _started;
    private bool _waitingForKeyframe = true;

    public H264AccessUnitAssembler(int lossTimeoutMs = 250) => LossTimeoutMs = lossTimeoutMs;

    /// <summary>How long an incomplete access unit waits for retransmissions (the receiver follows the measured repair time).</summary>
    public int LossTimeoutMs { get; set; }

    public bool KeyframeNeeded { get; set; } = true;

    public long LostFrames { get; private set; }

    public long RecoveredFrames { get; private set; }

    public long MalformedPackets { get; private set; }

    /// <summary>Packets for a unit already handed out or given up, or a second copy of a buffered one.</summary>
    public long LateOrDuplicatePackets { get; private set; }

    /// <summary>Packets refused because the buffer was full.</summary>
    public long OverflowPackets { get; private set; }

    public long DroppedPackets => MalformedPackets + LateOrDuplicatePackets + OverflowPackets;

    /// <summary>IDR units that could not be decoded because no SPS/PPS had been seen.</summary>
    public long MissingParameterSets { get; private set; }

    public void CollectMissing(List<ushort> missing, int max)
    {
        if (_nextSeq < 0 || _packets.Count == 0)
        {
            return;
        }

        long highest = _packets.Keys[^1];
        for (long s = _nextSeq; s < highest && missing.Count < max; s++)
        {
            if (!_packets.ContainsKey(s))
            {
                missing.Add((ushort)s);
            }
        }
    }

    public void Insert(ushort sequence, uint timestamp, bool marker, ReadOnlySpan<byte> payload, bool retransmitted, long nowMs, List<AssembledFrame> output)
    {
        var kind = H264PayloadKind.Single;
        int nalTypes = 0;
        bool padding = payload.IsEmpty;
        if (!padding && !H264Payload.TryParse(payload, out kind, out nalTypes))
        {
            MalformedPackets++;
            return;
        }

        long seq = _unwrapper.Unwrap(sequence);
        if ((_started && seq < _nextSeq) || _packets.ContainsKey(seq))
        {
            LateOrDuplicatePackets++;
            return;
        }

        if (_nextSeq >= 0 && seq - _nextSeq > MaxBufferedPackets)
        {
            _packets.Clear(); // jumped far ahead: start over
            _started = false;
            _firstArrivalMs = -1;
            MarkLoss();
        }

        if (_packets.Count >= MaxBufferedPackets)
        {
            OverflowPackets++;
            return;
        }

        _packets.Add(seq, new Stored(timestamp, marker, payload.ToArray(), retransmitted, kind, nalTypes, padding));
        Drain(nowMs, output);
    }

    public void Poll(long nowMs, List<AssembledFrame> output) => Drain(nowMs, output);

    private void MarkLoss()
    {
        LostFrames++;
        _waitingForKeyframe = true;
        KeyframeNeeded = true;
    }

    private void Drain(long nowMs, List<AssembledFrame> output)
    {
        while (_packets.Count > 0)
        {
            if (!_started)
            {
                // Until the first unit is out, packets may still arrive from before the lowest one seen.
                _nextSeq = _packets.Keys[0];
                _firstArrivalMs = _firstArrivalMs < 0 ? nowMs : _firstArrivalMs;
            }

            if (_packets.TryGetValue(_nextSeq, out var head) && head.IsPadding)
            {
                _packets.Remove(_nextSeq++);
                continue;
            }

            if (TryFindUnitEnd(out long end, out bool gap))
            {
                if (!_started && nowMs - _firstArrivalMs < LossTimeoutMs && !CanStartStream(_nextSeq))
                {
                    return; // joined mid-stream or reordered: wait a little for the packets before it
                }

                _blockedSinceMs = -1;
                TakeUnit(_nextSeq, end, output);
                _nextSeq = end + 1;
                continue;
            }

            if (!gap)
            {
                return; // the unit is still arriving; nothing after it yet
            }

            if (_blockedSinceMs < 0)
            {
                _blockedSinceMs = nowMs;
            }

            // A later unit a decoder can start from (the answer to our PLI) ends the wait at once: else a
            // backlog of damaged units would cost one timeout each before it.
            long start = _started ? BufferedStartAfterBlocked() : -1;
            if (nowMs - _blockedSinceMs < LossTimeoutMs && _packets.Count < MaxBufferedPackets / 2 && start < 0)
            {
                return;
            }

            GiveUp(start);
        }
    }

    /// <summary>Walks from the expected start: complete at a marker or a timestamp change; a gap with later packets is a loss.</summary>
    private bool TryFindUnitEnd(out long end, out bool gap)
    {
        end = -1;
        gap = false;
        long highest = _packets.Keys[^1];
        uint? timestamp = null;
        for (long s = _nextSeq; s <= highest; s++)
        {
            if (!_packets.TryGetValue(s, out var p))
            {
                gap = true;
                return false;
            }

            if (p.IsPadding)
            {
                continue;
            }

            timestamp ??= p.Timestamp;
            if (p.Timestamp != timestamp)
            {
                end = s - 1;
                return true;
            }

            if (p.Marker)
            {
                end = s;
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the packet begins with SPS, PPS or an IDR slice start: a point a decoder can start from.</summary>
    private bool CanStartStream(long seq) =>
        _packets.TryGetValue(seq, out var p) && p.Kind is not (H264PayloadKind.FuMiddle or H264PayloadKind.FuEnd)
        && (p.NalTypes & (ParameterSetTypes | (1 << H264Nal.IdrSlice))) != 0;

    /// <summary>
    /// The first packet of a later unit that starts with SPS, PPS or an IDR slice, whole from its start (the
    /// packet before it is here and ended another unit, or it carries the parameter sets that lead an IDR
    /// unit); -1 when none is buffered.
    /// </summary>
    private long BufferedStartAfterBlocked()
    {
        uint? blocked = _packets.TryGetValue(_nextSeq, out var first) ? first.Timestamp : null;
        for (int i = 1; i < _packets.Count; i++)
        {
            long seq = _packets.Keys[i];
            var (previous, packet) = (_packets.Values[i - 1], _packets.Values[i]);
            bool whole = _packets.Keys[i - 1] == seq - 1 ? previous.Marker || previous.Timestamp != packet.Timestamp
                : previous.Timestamp != packet.Timestamp && (packet.NalTypes & ParameterSetTypes) != 0; // parameter sets lead an IDR unit
            if (seq > _nextSeq + 1 && whole && packet.Timestamp != blocked && CanStartStream(seq))
            {
                return seq;
            }
        }

        return -1;
    }

    /// <summary>
    /// Drops the blocked unit and moves to <paramref name="start"/> when given, else to the next packet of
    /// a later unit that can start a NAL unit.
    /// </summary>
    private void GiveUp(long start = -1)
    {
        _started = true;
        MarkLoss();
        _blockedSinceMs = -1;
        if (start >= 0)
        {
            RemoveBelow(start);
            _nextSeq = start;
            return;
        }

        uint? abandoned = _packets.TryGetValue(_nextSeq, out var first) ? first.Timestamp : null;
        for (int i = 0; i < _packets.Count; i++)
        {
            long seq = _packets.Keys[i];
            var p = _packets.Values[i];
            if (seq > _nextSeq && !p.IsPadding && p.Kind is not (H264PayloadKind.FuMiddle or H264PayloadKind.FuEnd)
                && (abandoned is null || p.Timestamp != abandoned))
            {
                RemoveBelow(seq);
                _nextSeq = seq;
                return;
            }
        }

        long highest = _packets.Keys[^1];
        _packets.Clear();
        _nextSeq = highest + 1;
    }

    private void RemoveBelow(long seq)
    {
        while (_packets.Count > 0 && _packets.Keys[0] < seq)
        {
            _packets.RemoveAt(0);
        }
    }

    private readonly record struct Stored(uint Timestamp, bool Marker, byte[] Payload, bool Retransmitted, H264PayloadKind Kind, int NalTypes, bool IsPadding);
}
