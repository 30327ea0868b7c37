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
    public void Empty_series_reports_nan()
    {
        var s = new LatencySeries();
        Assert.True(double.IsNaN(s.Median));
        Assert.True(double.IsNaN(s.SlopeMsPerMinute));
    }
}
