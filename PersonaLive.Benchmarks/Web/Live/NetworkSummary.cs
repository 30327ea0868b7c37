using PersonaLive.TestSupport;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// One server's figures for one scenario of the network benchmark, from the client's recording, warm-up
/// left out: glass-to-glass p95 and median, the longest freeze, goodput; for a capacity step also the
/// queueing delay after the drop and the recovery after the rise.
/// </summary>
internal sealed record Summary(double P95, double Median, double FreezeMs, double GoodputKbps, int Samples,
    double QueueAfterDropMs = double.NaN, double RecoverS = double.NaN, bool RecoverReached = false, double RecoverToBeforeS = double.NaN)
{
    /// <summary>A scenario whose session did not even start: every figure NaN, one long freeze.</summary>
    public static Summary Failed(NetworkScenario scenario) => new(double.NaN, double.NaN, scenario.Seconds * 1000, 0, 0);

    public static Summary Of(NetworkScenario scenario, LabRecording recording, double start)
    {
        double from = start + NetworkBenchmark.WarmUpSeconds, to = start + scenario.Seconds;
        var summary = new Summary(Math.Round(recording.GlassToGlass(0.95, from, to), 1), Math.Round(recording.GlassToGlass(0.5, from, to), 1),
            Math.Round(recording.LongestGapMs(from, to)), Math.Round(recording.GoodputKbps(from, to)), recording.Samples(from, to));
        if (scenario.Phases.Count != 3) return summary;

        double drop = start + scenario.PhaseStart(1), up = start + scenario.PhaseStart(2);
        double newRate = scenario.Phases[2].Shape.RateKbit;
        double before = recording.GoodputKbps(drop - 4, drop);
        double recover = recording.TimeToReach(0.9 * newRate, up, to);
        double toBefore = recording.TimeToReach(0.9 * Math.Min(before, newRate), up, to);
        return summary with
        {
            QueueAfterDropMs = Math.Round(recording.GlassToGlass(0.5, drop + 3, drop + 5) - recording.GlassToGlass(0.5, from, drop), 1),
            RecoverReached = !double.IsNaN(recover),
            RecoverS = Math.Round(double.IsNaN(recover) ? to - up : recover, 1),
            RecoverToBeforeS = Math.Round(double.IsNaN(toBefore) ? to - up : toBefore, 1),
        };
    }

    /// <summary>
    /// One line per second of the scenario as the client saw the output: frames decoded, the longest gap
    /// inside that second and the glass-to-glass median and p95 of its samples, so a freeze or a slow
    /// stretch can be laid beside the sender's per-second trace.
    /// </summary>
    public static IEnumerable<string> Timeline(NetworkScenario scenario, LabRecording recording, double start)
    {
        for (int i = 0; i < (int)scenario.Seconds; i++)
        {
            double from = start + i, to = from + 1;
            yield return string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"out {i}s frames {recording.Frames(from, to)} gap {recording.LongestGapMs(from, to):0} ms g2g {recording.GlassToGlass(0.5, from, to):0}/{recording.GlassToGlass(0.95, from, to):0} ms");
        }
    }

    public override string ToString() =>
        $"{Samples} samples, g2g median {Median:0} ms p95 {P95:0} ms, longest freeze {FreezeMs:0} ms, goodput {GoodputKbps:0} kbit/s"
        + (double.IsNaN(QueueAfterDropMs) ? "" : $", queue after drop {QueueAfterDropMs:0} ms, recover {RecoverS:0.0} s{(RecoverReached ? "" : " (not reached)")}, to 90 % of before {RecoverToBeforeS:0.0} s");
}
