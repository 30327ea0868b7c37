namespace PersonaLive.WebRtc.Media;

/// <summary>
/// Whether a keyframe request (PLI, RFC 4585 section 6.3.1; FIR, RFC 5104 section 4.3.1) is already
/// answered by the keyframe we sent last: a receiver that could not yet have received that keyframe when
/// it asked (our last keyframe left less than a round trip, the bottleneck queue our packets sit behind and
/// the keyframe's own transmission time at the target rate ago) is served by it. Encoding another one then
/// only adds a second large frame to a queue that is already long: after a capacity drop that is how one
/// lost frame turns into a keyframe every 300 ms and seconds of frozen video. The window never exceeds
/// <see cref="MaxWindowMs"/>, so a keyframe that was itself lost is replaced by the next request. Pure.
/// </summary>
public static class KeyframeInFlight
{
    /// <summary>Longest time a keyframe answers requests for.</summary>
    public const long MaxWindowMs = 1000;

    /// <summary>How long (ms) a keyframe of <paramref name="keyframeBytes"/> answers requests, given the round trip, the queue and the target rate.</summary>
    public static double WindowMs(int keyframeBytes, int targetKbps, double roundTripMs, double queueMs)
    {
        double transmitMs = Math.Max(0, keyframeBytes) * 8.0 / Math.Max(1, targetKbps);
        return Math.Min(MaxWindowMs, NonNegative(roundTripMs) + NonNegative(queueMs) + transmitMs);
    }

    private static double NonNegative(double ms) => double.IsFinite(ms) ? Math.Max(0, ms) : 0;

    /// <summary>
    /// True when a request arriving at <paramref name="nowMs"/> is covered by the keyframe sent at
    /// <paramref name="keyframeSentMs"/> (no keyframe yet: pass <see cref="long.MinValue"/>).
    /// </summary>
    public static bool Covers(long nowMs, long keyframeSentMs, int keyframeBytes, int targetKbps, double roundTripMs, double queueMs) =>
        keyframeSentMs != long.MinValue && nowMs >= keyframeSentMs
        && nowMs - keyframeSentMs < WindowMs(keyframeBytes, targetKbps, roundTripMs, queueMs);
}
