namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// A frame our encoder produced and we sent: the VP8 bytes (for fan-out to viewers; they live in the
/// encoder's reused buffer and are valid during the event only), whether it is a keyframe, the RTP
/// timestamp it went out with, the NTP capture time it claims, and the picture size.
/// </summary>
public sealed class EncodedFrameSentEventArgs(ReadOnlyMemory<byte> data, bool isKeyframe, uint rtpTimestamp, ulong captureNtpTime, int width, int height) : EventArgs
{
    public ReadOnlyMemory<byte> Data { get; } = data;
    public bool IsKeyframe { get; } = isKeyframe;
    public uint RtpTimestamp { get; } = rtpTimestamp;
    public ulong CaptureNtpTime { get; } = captureNtpTime;
    public int Width { get; } = width;
    public int Height { get; } = height;
}
