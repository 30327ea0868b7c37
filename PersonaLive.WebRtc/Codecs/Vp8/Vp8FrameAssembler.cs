using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.WebRtc.Codecs.Vp8;

/// <summary>An encoded VP8 frame reassembled from RTP packets.</summary>
public sealed record AssembledFrame(byte[] Data, uint RtpTimestamp, bool IsKeyframe, bool Recovered, long FirstSequence);

/// <summary>
/// Reassembles VP8 frames from RTP packets (RFC 7741 section 4.5): keys packets by unwrapped sequence
/// number, hands complete frames out in order, waits <see cref="LossTimeoutMs"/> for missing packets
/// (time for NACK retransmission), then declares the frame lost and refuses inter frames until the next
/// keyframe, raising <see cref="KeyframeNeeded"/> so the caller sends PLI. Bounded in packets and bytes.
/// Not thread-safe.
/// </summary>
public sealed class Vp8FrameAssembler
{
    private const int MaxBufferedPackets = 1024;
    private const int MaxFrameBytes = 4 * 1024 * 1024;
    private const int MaxPacketsPerFrame = 1000;
    private readonly SortedDictionary<long, Packet> _packets = new();
    private readonly SequenceUnwrapper _unwrapper = new();
    private long _nextSeq = -1;
    private long _blockedSinceMs = -1;
    private bool _waitingForKeyframe = true;
    private bool _searchingFirstFrame = true;
    private int _backsteps;
    private const int MaxBacksteps = 64;

    public Vp8FrameAssembler(int lossTimeoutMs = 250) => LossTimeoutMs = lossTimeoutMs;

    public int LossTimeoutMs { get; }

    /// <summary>Set when a loss or a missing keyframe means the decoder needs a keyframe; the caller clears it after sending PLI.</summary>
    public bool KeyframeNeeded { get; set; } = true;

    /// <summary>Frames given up (incomplete after the timeout, or undecodable while waiting for a keyframe).</summary>
    public long LostFrames { get; private set; }

    /// <summary>Complete frames that needed at least one retransmitted packet.</summary>
    public long RecoveredFrames { get; private set; }

    public long DroppedPackets { get; private set; }

    /// <summary>Missing sequence numbers below the highest received one, for NACK generation.</summary>
    public void CollectMissing(List<ushort> missing, int max)
    {
        if (_nextSeq < 0 || _packets.Count == 0)
        {
            return;
        }

        long highest = _packets.Keys.Max();
        for (long s = _nextSeq; s < highest && missing.Count < max; s++)
        {
            if (!_packets.ContainsKey(s))
            {
                missing.Add((ushort)s);
            }
        }
    }

    /// <summary>Adds one packet (payload after the RTP header) and appends any frames it completes.</summary>
    public void Insert(ushort sequence, uint timestamp, bool marker, ReadOnlySpan<byte> payload, bool retransmitted, long nowMs, List<AssembledFrame> output)
    {
        bool padding = payload.IsEmpty; // padding-only packets (bandwidth probes) still use a sequence number
        Vp8PayloadDescriptor descriptor = default;
        if (!padding && (!Vp8PayloadDescriptor.TryParse(payload, out descriptor) || descriptor.Length >= payload.Length))
        {
            DroppedPackets++;
            return;
        }

        long seq = _unwrapper.Unwrap(sequence);
        if (_nextSeq >= 0 && (seq < _nextSeq || _packets.ContainsKey(seq)))
        {
            DroppedPackets++; // late or duplicate
            return;
        }

        if (_nextSeq >= 0 && seq - _nextSeq > MaxBufferedPackets)
        {
            Reset(); // jumped far ahead: start over from the next frame start
        }

        if (_packets.Count >= MaxBufferedPackets)
        {
            DroppedPackets++;
            return;
        }

        _packets[seq] = padding
            ? new Packet(timestamp, false, false, [], retransmitted, IsPadding: true)
            : new Packet(timestamp, marker, descriptor.IsFrameStart, payload[descriptor.Length..].ToArray(), retransmitted);
        Drain(nowMs, output);
    }

    /// <summary>Applies the loss timeout; call periodically.</summary>
    public void Poll(long nowMs, List<AssembledFrame> output) => Drain(nowMs, output);

    private void Reset()
    {
        _packets.Clear();
        _nextSeq = -1;
        _blockedSinceMs = -1;
        MarkLoss();
    }

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
            if (_nextSeq < 0)
            {
                long lowest = _packets.Keys.First();
                if (!_packets[lowest].FrameStart && !_packets[lowest].IsPadding && _backsteps < MaxBacksteps)
                {
                    // The stream's first packets (the start of the first keyframe) are missing: look
                    // backwards so they get NACKed instead of waiting for a PLI keyframe.
                    _nextSeq = lowest - 1;
                    _backsteps++;
                    continue;
                }

                long start = FirstFrameStartAtOrAfter(long.MinValue);
                if (start < 0)
                {
                    return;
                }

                RemoveBelow(start);
                _nextSeq = start;
            }

            if (_packets.TryGetValue(_nextSeq, out var filler) && filler.IsPadding)
            {
                _packets.Remove(_nextSeq++); // padding between frames: consume it
                _blockedSinceMs = -1;
                continue;
            }

            var result = TryTakeFrame(out var frame);
            if (result == TakeResult.Complete)
            {
                _blockedSinceMs = -1;
                _searchingFirstFrame = false;
                if (_waitingForKeyframe && !frame!.IsKeyframe)
                {
                    LostFrames++;
                    KeyframeNeeded = true;
                    continue;
                }

                _waitingForKeyframe = false;
                if (frame!.IsKeyframe)
                {
                    KeyframeNeeded = false;
                }

                if (frame.Recovered)
                {
                    RecoveredFrames++;
                }

                output.Add(frame);
                continue;
            }

            if (result == TakeResult.Broken)
            {
                if (_searchingFirstFrame && _backsteps < MaxBacksteps && _packets.TryGetValue(_nextSeq, out var p) && !p.FrameStart)
                {
                    _nextSeq--; // still inside the first frame: keep looking backwards
                    _backsteps++;
                    continue;
                }

                SkipToNextFrameStart();
                continue;
            }

            // Incomplete: wait for retransmissions, then give up on this frame.
            if (_blockedSinceMs < 0)
            {
                _blockedSinceMs = nowMs;
            }

            if (nowMs - _blockedSinceMs < LossTimeoutMs && _packets.Count < MaxBufferedPackets / 2)
            {
                return;
            }

            SkipToNextFrameStart();
        }
    }

    private void SkipToNextFrameStart()
    {
        _searchingFirstFrame = false;
        MarkLoss();
        _blockedSinceMs = -1;
        long next = FirstFrameStartAtOrAfter(_nextSeq + 1);
        if (next < 0)
        {
            long highest = _packets.Count > 0 ? _packets.Keys.Max() : _nextSeq;
            _packets.Clear();
            _nextSeq = highest + 1;
            return;
        }

        RemoveBelow(next);
        _nextSeq = next;
    }

    private enum TakeResult { Complete, Incomplete, Broken }

    private TakeResult TryTakeFrame(out AssembledFrame? frame)
    {
        frame = null;
        if (!_packets.TryGetValue(_nextSeq, out var first))
        {
            return TakeResult.Incomplete;
        }

        if (!first.FrameStart)
        {
            return TakeResult.Broken;
        }

        long seq = _nextSeq;
        int total = 0;
        bool recovered = false;
        while (true)
        {
            if (!_packets.TryGetValue(seq, out var p))
            {
                return TakeResult.Incomplete;
            }

            if (p.Timestamp != first.Timestamp || (seq != _nextSeq && p.FrameStart))
            {
                return TakeResult.Broken;
            }

            total += p.Payload.Length;
            recovered |= p.Retransmitted;
            if (total > MaxFrameBytes || seq - _nextSeq >= MaxPacketsPerFrame)
            {
                return TakeResult.Broken;
            }

            if (p.Marker)
            {
                break;
            }

            seq++;
        }

        var data = new byte[total];
        int offset = 0;
        for (long s = _nextSeq; s <= seq; s++)
        {
            var p = _packets[s];
            p.Payload.CopyTo(data, offset);
            offset += p.Payload.Length;
            _packets.Remove(s);
        }

        frame = new AssembledFrame(data, first.Timestamp, Vp8PayloadDescriptor.IsKeyframe(data), recovered, _nextSeq);
        _nextSeq = seq + 1;
        return TakeResult.Complete;
    }

    private long FirstFrameStartAtOrAfter(long from)
    {
        foreach (var kv in _packets)
        {
            if (kv.Key >= from && kv.Value.FrameStart)
            {
                return kv.Key;
            }
        }

        return -1;
    }

    private void RemoveBelow(long seq)
    {
        var stale = new List<long>();
        foreach (var key in _packets.Keys)
        {
            if (key >= seq)
            {
                break;
            }

            stale.Add(key);
        }

        foreach (var key in stale)
        {
            _packets.Remove(key);
        }
    }

    private sealed record Packet(uint Timestamp, bool Marker, bool FrameStart, byte[] Payload, bool Retransmitted, bool IsPadding = false);
}
