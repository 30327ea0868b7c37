using PersonaLive.WebRtc.Codecs;

namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// A picture decoded from the remote video track. <see cref="CaptureNtpTime"/> is the capture time on the
/// sender's NTP clock, known once an RTCP SR from the sender arrived (its NTP/RTP pair maps timestamps).
/// </summary>
public sealed record DecodedVideoFrame(I420Frame Frame, uint RtpTimestamp, ulong? CaptureNtpTime);
