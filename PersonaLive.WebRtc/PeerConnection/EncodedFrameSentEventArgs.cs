using PersonaLive.WebRtc.Codecs.Vpx;

namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// A frame our encoder produced and we sent: the VP8 bytes (for fan-out to viewers), the RTP timestamp
/// it went out with, the NTP capture time it claims, and the picture size.
/// </summary>
public sealed class EncodedFrameSentEventArgs(EncodedFrame frame, uint rtpTimestamp, ulong captureNtpTime, int width, int height) : EventArgs
{
    public EncodedFrame Frame { get; } = frame;
    public uint RtpTimestamp { get; } = rtpTimestamp;
    public ulong CaptureNtpTime { get; } = captureNtpTime;
    public int Width { get; } = width;
    public int Height { get; } = height;
}
