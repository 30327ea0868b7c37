namespace PersonaLive.WebRtc.Media;

/// <summary>
/// How long an incomplete frame waits for its NACK retransmissions before the receiver gives it up and
/// asks for a keyframe (RFC 4585 section 6.2.1 repair, section 6.3.1 PLI). A fixed wait is wrong on
/// both ends: on a 100 ms path with a queue a retransmission needs more than 250 ms, and a frame given
/// up a moment before its repair arrives costs a whole keyframe; on a short path a long wait only
/// freezes the picture when the repair never comes. The wait follows the longer of the measured repair
/// time (<see cref="NackScheduler.RepairMs"/>) and the round trip from RTCP (RFC 3550 section 6.4.1), and
/// covers one retry: the receiver asks again a little over one repair time after the first request
/// (<see cref="NackScheduler.EffectiveRetryMs"/>), so a resend lost on the way, or one that waited in a
/// queue that grew since the last sample, arrives by about 2.2 repair times. Hence two and a half repair
/// times and 50 ms (timer ticks and the sender's turn-around), never below the configured floor and
/// never above <see cref="MaxMs"/>. Giving up sooner never shortens the freeze: the keyframe asked for
/// then needs a round trip, the queue and its own transmission on top of the wait already spent. Pure.
/// </summary>
public static class FrameLossWait
{
    /// <summary>Longest wait, however slow the path.</summary>
    public const int MaxMs = 1000;

    /// <summary>Repair times waited: the first repair, the retry interval after it and the retry's own repair, with room for a queue that grew.</summary>
    public const double RepairTimes = 2.5;

    /// <summary>The wait (ms) for a configured floor, a smoothed repair time (0: none measured) and the round trip (null: unknown).</summary>
    public static int TimeoutMs(int floorMs, double repairMs, double? roundTripMs)
    {
        double repair = double.IsFinite(repairMs) ? Math.Max(0, repairMs) : 0;
        double rtt = roundTripMs is double r && double.IsFinite(r) ? Math.Max(0, r) : 0;
        double basis = Math.Max(repair, rtt);
        return (int)Math.Clamp(basis * RepairTimes + 50, floorMs, Math.Max(floorMs, MaxMs));
    }
}
