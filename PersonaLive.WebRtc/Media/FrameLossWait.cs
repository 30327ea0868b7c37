namespace PersonaLive.WebRtc.Media;

/// <summary>
/// How long an incomplete frame waits for its NACK retransmissions before the receiver gives it up and
/// asks for a keyframe (RFC 4585 section 6.2.1 repair, section 6.3.1 PLI). A fixed wait is wrong on
/// both ends: on a 100 ms path with a queue a retransmission needs more than 250 ms, and a frame given
/// up a moment before its repair arrives costs a whole keyframe; on a short path a long wait only
/// freezes the picture when the repair never comes. The wait follows the longer of the measured repair
/// time (<see cref="NackScheduler.RepairMs"/>) and the round trip from RTCP (RFC 3550 section 6.4.1), with
/// a half and 40 ms (a timer tick and the sender's turn-around) on top: the round trip is a sample up to a
/// second old and the queue swings (in the lab's 1 Mbit/s start-up the round trip went from 190 to 270 ms
/// within a second, and a quarter on top gave up the first repaired frames for a keyframe), never below the configured
/// floor and never above <see cref="MaxMs"/>. Pure.
/// </summary>
public static class FrameLossWait
{
    /// <summary>Longest wait, however slow the path.</summary>
    public const int MaxMs = 1000;

    /// <summary>The wait (ms) for a configured floor, a smoothed repair time (0: none measured) and the round trip (null: unknown).</summary>
    public static int TimeoutMs(int floorMs, double repairMs, double? roundTripMs)
    {
        double repair = double.IsFinite(repairMs) ? Math.Max(0, repairMs) : 0;
        double rtt = roundTripMs is double r && double.IsFinite(r) ? Math.Max(0, r) : 0;
        double basis = Math.Max(repair, rtt);
        return (int)Math.Clamp(basis * 1.5 + 40, floorMs, Math.Max(floorMs, MaxMs));
    }
}
