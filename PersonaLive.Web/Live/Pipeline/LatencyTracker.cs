namespace PersonaLive.Web.Live.Pipeline;

/// <summary>
/// Latency bookkeeping of one session. Every output frame is sent with the capture time of its driving
/// camera frame; this keeps the recent (RTP timestamp -> capture time) pairs so the page can look up a
/// received frame by the <c>rtpTimestamp</c> that requestVideoFrameCallback reports, and it keeps the
/// glass-to-glass samples the page measures (browser clock) plus the server-side part (arrival of the
/// driving frame to send of its output, server clock).
/// </summary>
internal sealed class LatencyTracker
{
    private const int Keep = 256;
    private readonly object _lock = new();
    private readonly Queue<(uint Rtp, long CaptureUs)> _sent = new();
    private readonly Queue<double> _glass = new();
    private readonly Queue<double> _server = new();

    /// <summary>Records an output frame that went out with <paramref name="rtpTimestamp"/>.</summary>
    public void RecordSent(uint rtpTimestamp, long captureTimeUs, double serverLatencyMs)
    {
        lock (_lock)
        {
            Push(_sent, (rtpTimestamp, captureTimeUs));
            Push(_server, serverLatencyMs);
        }
    }

    /// <summary>Records a glass-to-glass sample measured by the page.</summary>
    public void RecordGlassToGlass(double ms)
    {
        if (!double.IsFinite(ms) || ms < 0 || ms > 60_000) return; // clock glitches, not latency
        lock (_lock) Push(_glass, ms);
    }

    /// <summary>The capture time an output frame was sent with, if still remembered.</summary>
    public long? CaptureTimeOf(uint rtpTimestamp)
    {
        lock (_lock)
            foreach (var (rtp, cap) in _sent)
                if (rtp == rtpTimestamp) return cap;
        return null;
    }

    /// <summary>Recent pairs, oldest first (sent to the page for rVFC lookups).</summary>
    public IReadOnlyList<(uint Rtp, long CaptureUs)> RecentPairs(int max)
    {
        lock (_lock) return _sent.Skip(Math.Max(0, _sent.Count - max)).ToList();
    }

    public double? GlassToGlassMedianMs { get { lock (_lock) return Percentile(_glass, 0.5); } }
    public double? GlassToGlassP95Ms { get { lock (_lock) return Percentile(_glass, 0.95); } }
    public double? ServerMedianMs { get { lock (_lock) return Percentile(_server, 0.5); } }

    /// <summary>The 10th percentile of the server latency: how long the video at least takes (the voice's base wait).</summary>
    public double? ServerP10Ms { get { lock (_lock) return Percentile(_server, 0.1); } }

    /// <summary>Nearest-rank percentile of the kept samples (null when empty).</summary>
    internal static double? Percentile(IEnumerable<double> samples, double p)
    {
        var sorted = samples.Order().ToArray();
        if (sorted.Length == 0) return null;
        var rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private static void Push<T>(Queue<T> q, T item)
    {
        q.Enqueue(item);
        if (q.Count > Keep) q.Dequeue();
    }
}
