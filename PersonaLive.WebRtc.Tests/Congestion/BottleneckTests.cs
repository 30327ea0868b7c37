namespace PersonaLive.WebRtc.Tests.Congestion;

/// <summary>
/// The delay-based estimator with pacing and the loss-based controller on a simulated bottleneck
/// (<see cref="BottleneckSimulation"/>), fed our own transport-cc feedback: at 1 Mbit/s the bottleneck
/// queue stays short while most of the capacity is used, and after the capacity falls from 3 to
/// 0.6 Mbit/s the queue drains within 3 s. These are the conditions for the estimator being on by default.
/// Also: random 1 % loss never cuts the target (only congestion does), and when the capacity rises from
/// 0.6 to 3 Mbit/s the growth, faster the longer it goes unchallenged, uses the new link within 12 s
/// (at a steady 8 % a second it would take over 20).
/// </summary>
public sealed class BottleneckTests(ITestOutputHelper output)
{
    private void Log(BottleneckSimulation sim)
    {
        foreach (var (at, target) in sim.Targets.Where((_, i) => i % 5 == 0))
        {
            output.WriteLine($"{at / 1000,6} ms target {target,5} kb/s queue {sim.MaxQueueMs(at, at + 500_000),6:F0} ms");
        }
    }

    [Fact]
    public void At_one_megabit_the_queue_stays_short_and_the_link_stays_used()
    {
        var sim = new BottleneckSimulation(_ => 1000, rttMs: 100, loss: 0.01);
        sim.RunUntil(30_000_000);
        Log(sim);
        double queue = sim.MaxQueueMs(5_000_000, 30_000_000);
        double utilisation = sim.Utilisation(5_000_000, 30_000_000);
        output.WriteLine($"max queue {queue:F0} ms, utilisation {utilisation:P0}");
        Assert.True(queue < 200, $"bottleneck queue reached {queue:F0} ms");
        Assert.True(utilisation >= 0.70, $"utilisation {utilisation:P0}");
        Assert.True(sim.MaxQueueMs(0, 5_000_000) < 1000, "the start-up overshoot built a second of queue");
    }

    [Fact]
    public void At_one_megabit_the_target_keeps_headroom_so_most_frames_see_no_queue()
    {
        // Running at the link's rate keeps a queue whose swings delay every frame and every repair; after
        // an overuse the target holds under the capacity found and only probes past it now and then.
        var sim = new BottleneckSimulation(_ => 1000, rttMs: 100, loss: 0.01);
        sim.RunUntil(40_000_000);
        Log(sim);
        var late = sim.Delivered.Where(d => d.AtUs >= 8_000_000).ToList();
        double queued = late.Count(d => d.QueueUs > 40_000) / (double)late.Count;
        double utilisation = sim.Utilisation(8_000_000, 40_000_000);
        output.WriteLine($"{queued:P1} of packets queued over 40 ms, utilisation {utilisation:P0}, capacity found {sim.Estimator.CapacityKbps:F0} kb/s");
        Assert.True(queued < 0.2, $"{queued:P1} of packets queued over 40 ms");
        Assert.True(utilisation >= 0.75, $"utilisation {utilisation:P0}");
    }

    [Fact]
    public void A_cut_above_an_out_of_date_capacity_does_not_hold_the_target_there()
    {
        // After 0.6 -> 3 Mbit/s the capacity found at 0.6 is stale; a brief dip that cuts the target to
        // well above it must not hold the target for the headroom's probe delay.
        var sim = new BottleneckSimulation(t => t < 15_000_000 ? 600 : t is >= 24_000_000 and < 24_200_000 ? 1500 : 3000,
            rttMs: 40, loss: 0, startKbps: 600, maxKbps: 4000);
        sim.RunUntil(32_000_000);
        Log(sim);
        var after = sim.Targets.Where(t => t.AtUs >= 24_000_000).ToList();
        int low = after.Where(t => t.AtUs < 26_000_000).Min(t => t.TargetKbps);
        int at = sim.Targets.Last(t => t.AtUs <= 28_000_000).TargetKbps;
        output.WriteLine($"lowest after the dip {low} kb/s, at 28 s {at} kb/s");
        Assert.True(at >= 1.25 * low, $"held at {low} kb/s: {at} kb/s 4 s after the dip");
    }

    [Fact]
    public void After_a_drop_from_three_to_0_6_megabit_the_queue_drains_within_three_seconds()
    {
        var sim = new BottleneckSimulation(t => t < 15_000_000 ? 3000 : 600, rttMs: 40, loss: 0);
        sim.RunUntil(30_000_000);
        Log(sim);
        double before = sim.Utilisation(8_000_000, 15_000_000);
        double after = sim.MaxQueueMs(18_000_000, 30_000_000);
        output.WriteLine($"utilisation before the drop {before:P0}; max queue from 3 s after the drop {after:F0} ms");
        Assert.True(before >= 0.5, $"never used the 3 Mbit/s link: {before:P0}");
        Assert.True(after < 200, $"queue still {after:F0} ms 3 s after the drop");
        Assert.True(sim.Utilisation(20_000_000, 30_000_000) >= 0.70, "collapsed far under the new capacity");
    }

    [Fact]
    public void One_percent_random_loss_on_a_wide_link_never_cuts_the_target()
    {
        // GCC's loss controller only cuts above 10 % loss; random 1 % is the link, not congestion.
        var sim = new BottleneckSimulation(_ => 20_000, rttMs: 100, loss: 0.01, startKbps: 300, maxKbps: 4000);
        sim.RunUntil(20_000_000);
        Log(sim);
        var targets = sim.Targets.Select(t => t.TargetKbps).ToList();
        for (int i = 1; i < targets.Count; i++)
        {
            Assert.True(targets[i] >= targets[i - 1], $"the target fell from {targets[i - 1]} to {targets[i]} kb/s at {sim.Targets[i].AtUs / 1000} ms");
        }

        Assert.True(targets[^1] >= 3000, $"only {targets[^1]} kb/s after 20 s");
    }

    [Fact]
    public void After_the_capacity_rises_from_0_6_to_three_megabit_the_link_is_used_within_twelve_seconds()
    {
        var sim = new BottleneckSimulation(t => t < 15_000_000 ? 600 : 3000, rttMs: 40, loss: 0, startKbps: 600, maxKbps: 4000);
        sim.RunUntil(30_000_000);
        Log(sim);
        double reached = double.NaN;
        for (long t = 16_000_000; t <= 30_000_000 && double.IsNaN(reached); t += 100_000)
        {
            if (sim.Utilisation(t - 1_000_000, t) >= 0.9) reached = (t - 15_000_000) / 1e6;
        }

        output.WriteLine($"90 % of 3 Mbit/s delivered over 1 s after {reached:F1} s");
        Assert.True(reached <= 12, $"90 % of the new capacity not used within 12 s of the rise (reached: {reached:F1} s)");
        Assert.True(sim.MaxQueueMs(18_000_000, 30_000_000) < 400, "the faster growth built a long queue");
    }

    [Fact]
    public void At_half_a_megabit_with_a_200_ms_round_trip_growth_does_not_run_into_a_long_queue_again()
    {
        // The accelerating growth that finds a capacity step-up quickly must not drive a link whose
        // capacity is known from the last overuse into seconds of queue (and a router's tail drop) again.
        var sim = new BottleneckSimulation(_ => 500, rttMs: 200, loss: 0);
        sim.RunUntil(40_000_000);
        Log(sim);
        double queue = sim.MaxQueueMs(8_000_000, 40_000_000);
        double utilisation = sim.Utilisation(8_000_000, 40_000_000);
        output.WriteLine($"max queue {queue:F0} ms, utilisation {utilisation:P0}");
        Assert.True(queue < 250, $"bottleneck queue reached {queue:F0} ms");
        Assert.True(utilisation >= 0.65, $"utilisation {utilisation:P0}");
        double capacity = sim.Estimator.CapacityKbps;
        Assert.InRange(capacity, 350, 600); // found from the overuses: near the link's 500 kbit/s
        var targets = sim.Targets.Where(t => t.AtUs >= 8_000_000).ToList();
        for (int i = 0; i + 10 < targets.Count; i++)
        {
            var (from, to) = (targets[i].TargetKbps, targets[i + 10].TargetKbps);
            bool near = Math.Abs(from - capacity) <= 0.1 * capacity && Math.Abs(to - capacity) <= 0.1 * capacity;
            Assert.False(near && to > from * 1.06, $"near the capacity ({capacity:F0} kb/s) the target grew from {from} to {to} kb/s in a second at {targets[i].AtUs / 1000} ms");
        }
    }
}
