using PersonaLive.WebRtc.Codecs.Vp8;

namespace PersonaLive.WebRtc.Codecs;

/// <summary>
/// The receive half of a codec's RTP payload format: depacketises payloads (RFC 3550 section 5.1
/// sequence order, the codec's own descriptor) and assembles complete frames with an intact reference
/// chain, waiting a bounded time for retransmissions. The receiver part calls it under its own lock,
/// so an implementation need not be thread-safe. Frames it outputs carry pooled bytes
/// (<see cref="AssembledFrame.FromPooled"/>) or own their bytes; the receiver releases pooled ones after
/// decoding, and a pooled frame the assembler itself discards it releases. VP8: <see cref="Vp8FrameAssembler"/>;
/// H.264: <see cref="Rtp.H264.H264AccessUnitAssembler"/>.
/// </summary>
public interface IRtpFrameAssembler
{
    /// <summary>A loss or missing keyframe means the decoder needs a keyframe (the receiver sends PLI and clears it).</summary>
    bool KeyframeNeeded { get; set; }

    /// <summary>How long an incomplete frame waits for NACK retransmissions before it is given up (ms).</summary>
    int LossTimeoutMs { get; set; }

    /// <summary>Frames given up (incomplete after the timeout, never seen, or undecodable while waiting for a keyframe).</summary>
    long LostFrames { get; }

    /// <summary>Frames completed by a retransmitted packet.</summary>
    long RecoveredFrames { get; }

    /// <summary>Payloads whose codec descriptor did not parse.</summary>
    long MalformedPackets { get; }

    /// <summary>Late or duplicate packets.</summary>
    long LateOrDuplicatePackets { get; }

    /// <summary>Packets beyond the reorder buffer.</summary>
    long OverflowPackets { get; }

    /// <summary>Adds one RTP payload; complete frames are appended to <paramref name="output"/> in order.</summary>
    void Insert(ushort sequence, uint timestamp, bool marker, ReadOnlySpan<byte> payload, bool retransmitted, long nowMs, List<AssembledFrame> output);

    /// <summary>Applies the loss timeout; frames it releases are appended to <paramref name="output"/>.</summary>
    void Poll(long nowMs, List<AssembledFrame> output);

    /// <summary>Sequence numbers worth a NACK (RFC 4585 section 6.2.1), at most <paramref name="max"/>.</summary>
    void CollectMissing(List<ushort> missing, int max);
}
