namespace PersonaLive.TestSupport;

/// <summary>
/// What a <see cref="LabClient"/> saw, on one clock (seconds since the recording started): a
/// glass-to-glass sample per decoded output frame whose marker read, the arrival time of every decoded
/// output frame (freezes are the gaps between them) and the bytes of every complete output frame
/// (goodput). Summaries take a time window so one run can be cut into scenario phases.
/// </summary>
internal sealed class LabRecording
{
    private readonly object _lock = new();
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly List<(double T, double Ms)> _g2g = [];
    private readonly List<double> _outputs = [];
    private readonly List<(double T, int Bytes)> _bytes = [];

    /// <summary>Seconds since the recording started.</summary>
    public double Now => _clock.Elapsed.TotalSeconds;

    public void AddGlassToGlass(double ms) { lock (_lock) _g2g.Add((Now, ms)); }

    public void AddOutputFrame() { lock (_lock) _outputs.Add(Now); }

    public void AddBytes(int bytes) { lock (_lock) _bytes.Add((Now, bytes)); }

    /// <summary>Nearest-rank percentile of the glass-to-glass samples in [from, to); NaN without samples.</summary>
    public double GlassToGlass(double p, double from = 0, double to = double.MaxValue)
    {
        double[] sorted;
        lock (_lock) sorted = _g2g.Where(s => s.T >= from && s.T < to).Select(s => s.Ms).Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    /// <summary>Glass-to-glass samples in [from, to).</summary>
    public int Samples(double from = 0, double to = double.MaxValue) { lock (_lock) return _g2g.Count(s => s.T >= from && s.T < to); }

    /// <summary>Decoded output frames in [from, to).</summary>
    public int Frames(double from = 0, double to = double.MaxValue) { lock (_lock) return _outputs.Count(t => t >= from && t < to); }

    /// <summary>
    /// The longest time in [from, to) without a decoded output frame, in ms (the window's edges count as
    /// frames, so a window with none is one long freeze).
    /// </summary>
    public double LongestGapMs(double from, double to)
    {
        double last = from, longest = 0;
        lock (_lock)
        {
            foreach (var t in _outputs.Where(t => t >= from && t < to))
            {
                longest = Math.Max(longest, t - last);
                last = t;
            }
        }

        return Math.Max(longest, Math.Min(to, Now) - last) * 1000;
    }

    /// <summary>Output video payload received in [from, to), in kbit/s.</summary>
    public double GoodputKbps(double from, double to)
    {
        to = Math.Min(to, Now);
        if (to <= from) return 0;
        long bytes;
        lock (_lock) bytes = _bytes.Where(b => b.T >= from && b.T < to).Sum(b => (long)b.Bytes);
        return bytes * 8 / 1000.0 / (to - from);
    }

    /// <summary>
    /// The first time at or after <paramref name="from"/> when the goodput over a sliding
    /// <paramref name="window"/> reaches <paramref name="kbps"/>, in seconds after <paramref name="from"/>; NaN if never before <paramref name="to"/>.
    /// </summary>
    public double TimeToReach(double kbps, double from, double to, double window = 1)
    {
        for (double t = from + window; t <= Math.Min(to, Now); t += 0.1)
        {
            if (GoodputKbps(t - window, t) >= kbps) return t - from;
        }

        return double.NaN;
    }
}
