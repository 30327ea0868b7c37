namespace PersonaLive.WebRtc.Tests.Congestion;

/// <summary>
/// The delay-based estimator with pacing and the loss-based controller on a simulated bottleneck
/// (<see cref="BottleneckSimulation"/>), fed our own transport-cc feedback: at 1 Mbit/s the bottleneck
/// queue stays short while most of the capacity is used, and after the capacity falls from 3 to
/// 0.6 Mbit/s the queue drains within 3 s. These are the conditions for the estimator being on by default.
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
}
