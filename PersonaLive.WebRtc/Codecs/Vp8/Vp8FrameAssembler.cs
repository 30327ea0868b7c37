using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.WebRtc.Codecs.Vp8;

/// <summary>
/// Reassembles VP8 frames from RTP packets (RFC 7741 section 4.5): keys packets by unwrapped sequence
/// number, hands complete frames out in order, waits <see cref="LossTimeoutMs"/> for missing packets
/// (time for NACK retransmission), then declares the frame lost and refuses inter frames until the next
/// keyframe, raising <see cref="KeyframeNeeded"/> so the caller sends PLI. When the stream's first
/// packets are missing (it starts mid-frame or with an inter frame) it looks backwards so the missing
/// keyframe is NACKed, unless a keyframe is already buffered further on. Lost frames are counted
/// exactly through the PictureID (<see cref="PictureIdLossCounter"/>). Bounded in packets and bytes;
/// packet storage is in <see cref="Vp8PacketStore"/>. Not thread-safe.
/// </summary>
public sealed class Vp8FrameAssembler : IRtpFrameAssembler
{
    private const int MaxBufferedPackets = 1024;
    private const int MaxFrameBytes = 4 * 1024 * 1024;
    private const int MaxPacketsPerFrame = 1000;
    private const int MaxBacksteps = 64;
    private readonly Vp8PacketStore _packets = new(MaxFrameBytes, MaxPacketsPerFrame);
    private readonly SequenceUnwrapper _unwrapper = new();
    private readonly PictureIdLossCounter _losses = new();
    private long _nextSeq = -1;
    private long _blockedSinceMs = -1;
    private bool _waitingForKeyframe = true;
    private bool _searchingFirstFrame = true;
    private int _backsteps;

    public Vp8FrameAssembler(int lossTimeoutMs = 250) => LossTimeoutMs = lossTimeoutMs;

    /// <summary>How long an incomplete frame waits for retransmissions (the receiver follows the measured repair time).</summary>
    public int LossTimeoutMs { get; set; }

    /// <summary>Set when a loss or a missing keyframe means the decoder needs a keyframe; the caller clears it after sending PLI.</summary>
    public bool KeyframeNeeded { get; set; } = true;

    /// <summary>
    /// Frames given up: incomplete after the timeout, never seen at all (PictureID gap), or complete but
    /// undecodable while waiting for a keyframe.
    /// </summary>
    public long LostFrames => _losses.Lost;

    /// <summary>Complete frames that needed at least one retransmitted packet.</summary>
    public long RecoveredFrames { get; private set; }

    /// <summary>Packets dropped: <see cref="MalformedPackets"/> + <see cref="LateOrDuplicatePackets"/> + <see cref="OverflowPackets"/>.</summary>
    public long DroppedPackets => MalformedPackets + LateOrDuplicatePackets + OverflowPackets;

    /// <summary>Packets whose VP8 payload descriptor did not parse or left no payload.</summary>
    public long MalformedPackets { get; private set; }

    /// <summary>Packets for a frame already handed out or given up, or a second copy of a buffered one.</summary>
    public long LateOrDuplicatePackets { get; private set; }

    /// <summary>Packets refused because <c>MaxBufferedPackets</c> were already waiting.</summary>
    public long OverflowPackets { get; private set; }

    /// <summary>Missing sequence numbers below the highest received one, for NACK generation.</summary>
    public void CollectMissing(List<ushort> missing, int max)
    {
        if (_nextSeq >= 0)
        {
            _packets.CollectMissing(_nextSeq, missing, max);
        }
    }

    /// <summary>Adds one packet (payload after the RTP header) and appends any frames it completes.</summary>
    public void Insert(ushort sequence, uint timestamp, bool marker, ReadOnlySpan<byte> payload, bool retransmitted, long nowMs, List<AssembledFrame> output)
    {
        bool padding = payload.IsEmpty; // padding-only packets (bandwidth probes) still use a sequence number
        Vp8PayloadDescriptor descriptor = default;
        if (!padding && (!Vp8PayloadDescriptor.TryParse(payload, out descriptor) || descriptor.Length >= payload.Length))
        {
            MalformedPackets++;
            return;
        }

        long seq = _unwrapper.Unwrap(sequence);
        if (_nextSeq >= 0 && (seq < _nextSeq || _packets.Contains(seq)))
        {
            LateOrDuplicatePackets++;
            return;
        }

        if (_nextSeq >= 0 && seq - _nextSeq > MaxBufferedPackets)
        {
            Reset(); // jumped far ahead: start over from the next frame start
        }

        if (_packets.Count >= MaxBufferedPackets)
        {
            OverflowPackets++;
            return;
        }

        if (padding)
        {
            _packets.Add(seq, timestamp, false, false, [], retransmitted, isPadding: true, -1, false);
        }
        else
        {
            _packets.Add(seq, timestamp, marker, descriptor.IsFrameStart, payload[descriptor.Length..], retransmitted, isPadding: false,
                descriptor.PictureId, descriptor.LongPictureId);
        }

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
        _losses.OnGaveUp();
        _waitingForKeyframe = true;
        KeyframeNeeded = true;
    }

    private void Drain(long nowMs, List<AssembledFrame> output)
    {
        while (_packets.Count > 0)
        {
            if (_nextSeq < 0)
            {
                long lowest = _packets.Lowest;
                _packets.TryGet(lowest, out var low);
                bool startsInterFrame = low.FrameStart && !Vp8PacketStore.IsKeyframeStart(low);
                if (((!low.FrameStart && !low.IsPadding) || startsInterFrame) && _backsteps < MaxBacksteps)
                {
                    // The stream's first packets (the first keyframe, or its start) are missing: look
                    // backwards so they get NACKed instead of waiting for a PLI keyframe.
                    _nextSeq = lowest - 1;
                    _backsteps++;
                    continue;
                }

                long start = _packets.FirstFrameStartAtOrAfter(long.MinValue);
                if (start < 0)
                {
                    return;
                }

                _packets.RemoveBelow(start);
                _nextSeq = start;
            }

            if (_packets.TryGet(_nextSeq, out var filler) && filler.IsPadding)
            {
                _packets.Remove(_nextSeq++); // padding between frames: consume it
                _blockedSinceMs = -1;
                continue;
            }

            var result = _packets.TryTake(_nextSeq, out var frame, out var first, out long next);
            if (result == FrameTakeResult.Complete)
            {
                _nextSeq = next;
                _blockedSinceMs = -1;
                _searchingFirstFrame = false;
                _losses.OnFrame(first.PictureId, first.LongPictureId);
                if (_waitingForKeyframe && !frame!.IsKeyframe)
                {
                    frame.Release();
                    _losses.OnDiscarded();
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

            if (result == FrameTakeResult.Broken)
            {
                if (_searchingFirstFrame && _backsteps < MaxBacksteps && _packets.TryGet(_nextSeq, out var p) && !p.FrameStart)
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

            // A newer keyframe already buffered makes the wait pointless; so does waiting for a keyframe
            // when the blocked frame is an inter frame (even complete it would be discarded). Otherwise a
            // backlog of damaged frames after a loss burst would cost one timeout each before the
            // keyframe behind them is decoded: seconds of frozen video.
            long keyframe = _packets.FirstFrameStartAtOrAfter(_nextSeq + 1, keyframe: true);
            bool useless = _waitingForKeyframe && !_searchingFirstFrame && _packets.TryGet(_nextSeq, out var blocked)
                && blocked.FrameStart && !Vp8PacketStore.IsKeyframeStart(blocked);
            if (nowMs - _blockedSinceMs < LossTimeoutMs && _packets.Count < MaxBufferedPackets / 2 && keyframe < 0 && !useless)
            {
                return;
            }

            SkipToNextFrameStart(keyframe);
        }
    }

    /// <summary>Gives up the blocked frame and goes on at <paramref name="keyframe"/> when one is buffered (else at the next frame start).</summary>
    private void SkipToNextFrameStart(long keyframe = -1)
    {
        _searchingFirstFrame = false;
        MarkLoss();
        _blockedSinceMs = -1;
        long next = keyframe >= 0 ? keyframe : _packets.FirstFrameStartAtOrAfter(_nextSeq + 1);
        if (next < 0)
        {
            long highest = _packets.Count > 0 ? _packets.Highest : _nextSeq;
            _packets.Clear();
            _nextSeq = highest + 1;
            return;
        }

        _packets.RemoveBelow(next);
        _nextSeq = next;
    }
}
