namespace PersonaLive.Media;

/// <summary>
/// A picture decoded from a remote video track, as the media stack hands it to the app: the pooled
/// <see cref="I420Frame"/> (valid during the callback; <see cref="I420Frame.Retain"/> it to keep it),
/// its RTP timestamp (90 kHz video clock) and the sender's capture time.
/// </summary>
/// <param name="Frame">The decoded picture.</param>
/// <param name="RtpTimestamp">The frame's RTP timestamp.</param>
/// <param name="CaptureTimeUs">
/// Capture time in microseconds since the Unix epoch on the <b>sender's</b> clock: the RTP timestamp mapped
/// through the NTP/RTP pair of the sender's last RTCP sender report (RFC 3550 section 6.4.1), null until
/// the first one arrived.
/// </param>
public readonly record struct DecodedVideoFrame(I420Frame Frame, uint RtpTimestamp, long? CaptureTimeUs);
