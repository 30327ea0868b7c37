using PersonaLive.WebRtc.Media;
using PersonaLive.WebRtc.Media.Congestion;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>
/// The delay-based estimator (draft-ietf-rmcat-gcc-02) on synthetic feedback: a path with room lets the
/// target grow, a bottleneck whose queue builds brings it under the bottleneck, and absurd arrival
/// times never move it outside its bounds.
/// </summary>
public sealed class DelayBasedEstimatorTests
{
    private const int PacketBytes = 1200;

    /// <summary>Sends at <paramref name="sendKbps"/> through a FIFO bottleneck of <paramref name="capacityKbps"/>, feedback every 50 ms.</summary>
    private static void Run(DelayBasedEstimator e, Func<long, double> sendKbps, double capacityKbps, long fromUs, long toUs, long seqStart = 0)
    {
        long seq = seqStart, now = fromUs, linkFreeUs = fromUs;
        var batch = new List<PacketResult>();
        double next = fromUs;
        while (now < toUs)
        {
            long feedbackAt = now + 50_000;
            while (next < feedbackAt)
            {
                long send = (long)next;
                long serviceUs = (long)(PacketBytes * 8 / capacityKbps * 1000);
                linkFreeUs = Math.Max(linkFreeUs, send) + serviceUs;
                batch.Add(new PacketResult(seq++, send, PacketBytes, true, linkFreeUs + 20_000));
                next += PacketBytes * 8 / sendKbps(send) * 1000;
            }

            now = feedbackAt;
            e.OnPacketResults(batch.Where(p => p.ArrivalUs <= now + 20_000).ToList(), now);
            batch.RemoveAll(p => p.ArrivalUs <= now + 20_000);
        }
    }

    [Fact]
    public void Target_grows_while_the_path_has_room()
    {
        var e = new DelayBasedEstimator(300, 100, 3000);
        Run(e, _ => 1000, capacityKbps: 5000, 0, 5_000_000);
        Assert.Equal(BandwidthUsage.Normal, e.State);
        Assert.InRange(e.TargetKbps, 380, 1600); // about 8 %/s, capped by 1.5 x the acknowledged ~1000 kb/s
    }

    [Fact]
    public void Target_falls_under_the_bottleneck_when_its_queue_builds()
    {
        var e = new DelayBasedEstimator(2000, 100, 3000);
        Run(e, _ => 2000, capacityKbps: 800, 0, 3_000_000);
        Assert.True(e.TargetKbps <= 800, $"target {e.TargetKbps} kb/s above the 800 kb/s bottleneck");
        Assert.True(e.TargetKbps >= 100);
    }

    [Fact]
    public void Absurd_arrival_times_keep_the_target_within_bounds()
    {
        var e = new DelayBasedEstimator(500, 150, 1500);
        var random = new Random(7);
        for (int round = 0; round < 400; round++)
        {
            var results = Enumerable.Range(0, random.Next(1, 50)).Select(i => new PacketResult(round * 50 + i, round * 50_000L + i * 1000,
                random.Next(0, 2000), random.Next(5) > 0, random.Next(3) switch { 0 => long.MaxValue / 4, 1 => -random.NextInt64(1L << 50), _ => random.NextInt64() })).ToList();
            e.OnPacketResults(results, round * 50_000L);
            Assert.InRange(e.TargetKbps, 150, 1500);
        }
    }

    [Fact]
    public void Overuse_while_sending_little_with_a_short_queue_at_most_halves_the_target()
    {
        // A sender at 1000 kb/s whose input froze sends 150 kb/s; then a burst at 3 Mb/s through a 1 Mb/s
        // link shows overuse with a queue well under 120 ms. The acknowledged rate (low) is no measure of
        // the link: the target must not fall to a fraction of it.
        var e = new DelayBasedEstimator(1000, 100, 3000);
        Run(e, _ => 150, capacityKbps: 1000, 0, 2_000_000);
        int before = e.TargetKbps;
        Run(e, t => t < 2_060_000 ? 3000 : 150, capacityKbps: 1000, 2_000_000, 3_000_000, seqStart: 100_000);
        Assert.True(e.TargetKbps >= before / 2, $"target {e.TargetKbps} kb/s after a burst, from {before}");
    }
}
