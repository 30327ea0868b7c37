using PersonaLive.Web.Live.Benchmarks;

namespace PersonaLive.Web.Tests.Live;

/// <summary>The e2e benchmark's summary: percentiles and the growth slope.</summary>
public sealed class LatencySeriesTests
{
    [Fact]
    public void Flat_latency_has_zero_slope_and_growing_latency_shows_its_rate()
    {
        var flat = new LatencySeries();
        var growing = new LatencySeries();
        for (var i = 0; i < 600; i++)
        {
            var t = i * 0.5; // 5 minutes
            flat.Add(t, 200 + (i % 2 == 0 ? 10 : -10));
            growing.Add(t, 200 + t / 60 * 30); // +30 ms per minute
        }
        Assert.InRange(flat.SlopeMsPerMinute, -0.5, 0.5);
        Assert.InRange(growing.SlopeMsPerMinute, 29.9, 30.1);
        Assert.Equal(200 - 10, flat.Median);
        Assert.Equal(210, flat.P95);
    }

    [Fact]
    public void Warm_up_samples_are_left_out_so_a_start_up_transient_does_not_tilt_the_slope()
    {
        // 30 s run: 800 ms falling to 200 ms over the first 4 s (start-up), then flat at 200 ms.
        static double Latency(double t) => t < 4 ? 800 - 150 * t : 200;
        var all = new LatencySeries();
        var warmed = new LatencySeries(warmUpSeconds: 5);
        for (var i = 0; i < 750; i++)
        {
            var t = i * 0.04;
            all.Add(t, Latency(t));
            warmed.Add(t, Latency(t));
        }
        Assert.True(all.SlopeMsPerMinute < -100, $"the transient tilts an unfiltered short run: {all.SlopeMsPerMinute:0} ms/min");
        Assert.InRange(warmed.SlopeMsPerMinute, -0.5, 0.5);
        Assert.Equal(750 - 125, warmed.Count); // 5 s at 25 samples/s left out
        Assert.Equal(200, warmed.P95);
        Assert.Equal(E2eBenchmark.WarmUpFor(TimeSpan.FromSeconds(30)), TimeSpan.FromSeconds(3));
        Assert.Equal(E2eBenchmark.WarmUpFor(TimeSpan.FromSeconds(300)), TimeSpan.FromSeconds(10));
        Assert.Equal(E2eBenchmark.WarmUpFor(TimeSpan.FromSeconds(60)), TimeSpan.FromSeconds(6));
    }

    [Fact]
    public void Empty_series_reports_nan()
    {
        var s = new LatencySeries();
        Assert.True(double.IsNaN(s.Median));
        Assert.True(double.IsNaN(s.SlopeMsPerMinute));
    }
}
