namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// Glass-to-glass samples over time, summarised for the e2e benchmark: median, p95, and the slope of a
/// least-squares line through (minutes, ms). A slope near 0 means latency does not grow over the run.
/// Samples taken before <see cref="WarmUpSeconds"/> are not kept (see <see cref="E2eBenchmark.WarmUpFor"/>).
/// </summary>
internal sealed class LatencySeries(double warmUpSeconds = 0)
{
    private readonly object _lock = new();
    private readonly List<(double Seconds, double Ms)> _samples = [];

    /// <summary>Samples with an earlier time than this (start-up transient) are ignored.</summary>
    public double WarmUpSeconds { get; } = warmUpSeconds;

    /// <summary>Samples kept (after the warm-up).</summary>
    public int Count { get { lock (_lock) return _samples.Count; } }

    /// <summary>Adds a sample taken <paramref name="secondsSinceStart"/> after the first measured frame, unless it falls in the warm-up.</summary>
    public void Add(double secondsSinceStart, double ms)
    {
        if (secondsSinceStart < WarmUpSeconds) return;
        lock (_lock) _samples.Add((secondsSinceStart, ms));
    }

    /// <summary>The kept samples: (seconds since the first measured frame, ms).</summary>
    public IReadOnlyList<(double Seconds, double Ms)> Samples { get { lock (_lock) return [.. _samples]; } }

    public double Median => Percentile(0.5);
    public double P95 => Percentile(0.95);

    /// <summary>Nearest-rank percentile; NaN without samples.</summary>
    public double Percentile(double p)
    {
        double[] sorted;
        lock (_lock) sorted = _samples.Select(s => s.Ms).Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    /// <summary>Least-squares slope in ms per minute; NaN with fewer than two distinct times.</summary>
    public double SlopeMsPerMinute
    {
        get
        {
            List<(double Seconds, double Ms)> s;
            lock (_lock) s = [.. _samples];
            if (s.Count < 2) return double.NaN;
            double mx = s.Average(p => p.Seconds / 60), my = s.Average(p => p.Ms);
            double sxx = 0, sxy = 0;
            foreach (var (sec, ms) in s)
            {
                var dx = sec / 60 - mx;
                sxx += dx * dx;
                sxy += dx * (ms - my);
            }
            return sxx == 0 ? double.NaN : sxy / sxx;
        }
    }
}
