namespace PersonaLive.WebRtc.Media;

/// <summary>
/// How long an incomplete received frame waits for its retransmissions before it is declared lost (and
/// a keyframe requested): the configured <c>Rtc:FrameLossTimeoutMs</c>, or two round trips plus 50 ms
/// when that is longer (a NACK, RFC 4585 section 6.2.1, and its retransmission take one round trip, a
/// lost retransmission a second one), at most <see cref="MaxMs"/>. A fixed 250 ms gives up on frames
/// whose retransmission is on its way across a 100 ms path with a queue, and the keyframe that replaces
/// them costs a freeze of more than the wait. Pure.
/// </summary>
public static class LossTimeout
{
    /// <summary>Longest wait, whatever the round trip.</summary>
    public const int MaxMs = 1000;

    /// <summary>The wait (ms) for <paramref name="configuredMs"/> and the measured round trip (null or absurd: the configured value).</summary>
    public static int For(int configuredMs, double? roundTripMs) =>
        roundTripMs is double rtt && double.IsFinite(rtt) && rtt > 0
            ? (int)Math.Clamp(2 * rtt + 50, configuredMs, Math.Max(configuredMs, MaxMs))
            : configuredMs;
}
