namespace PersonaLive.Web.Live.Voice;

/// <summary>
/// One packet of the browser's microphone track as the pipeline sees it: an Opus packet we never decode
/// (one per RTP payload), its RTP timestamp (48 kHz), the talk-spurt marker, the capture time of its first
/// sample (Unix microseconds on the browser's clock, like the video's capture times) and the source SSRC.
/// </summary>
internal sealed record VoicePacket(byte[] Payload, uint RtpTimestamp, bool Marker, long CaptureTimeUs, uint SourceId);
