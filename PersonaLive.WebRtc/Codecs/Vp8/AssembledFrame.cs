namespace PersonaLive.WebRtc.Codecs.Vp8;

/// <summary>
/// An encoded VP8 frame reassembled from RTP packets by <see cref="Vp8FrameAssembler"/>: the VP8
/// bitstream without payload descriptors, its RTP timestamp, whether it is a keyframe (RFC 6386 section
/// 9.1, P bit clear), whether a NACK retransmission completed it, and its first sequence number.
/// </summary>
public sealed record AssembledFrame(byte[] Data, uint RtpTimestamp, bool IsKeyframe, bool Recovered, long FirstSequence);
