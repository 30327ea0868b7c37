using Microsoft.Extensions.Logging.Abstractions;

namespace PersonaLive.WebRtc.Benchmarks;

/// <summary>
/// Our client and our server over UDP on 127.0.0.1 through a relay dropping 5 % of datagrams, 512x512
/// VP8 at 30 fps both ways: capture-to-decode latency (median, p95) and frames recovered by NACK vs lost.
/// </summary>
public static class LoopbackBenchmark
{
    public static async Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(int? seconds, TextWriter log, CancellationToken ct)
    {
        int frames = Math.Clamp((seconds ?? 10) * 30, 90, 9000);
        var r = await LoopbackRun.RunAsync(frames, 0.05, 512, 512, 30, NullLoggerFactory.Instance, ct).ConfigureAwait(false);
        var sorted = r.LatenciesMs.Order().ToList();
        double median = sorted.Count > 0 ? sorted[sorted.Count / 2] : double.NaN;
        double p95 = sorted.Count > 0 ? sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * 0.95))] : double.NaN;
        log.WriteLine($"loopback: {frames} frames each way, decoded {r.ServerDecoded}/{r.ClientDecoded}, relay dropped {r.RelayDropped}, " +
            $"recovered {r.Recovered}, lost {r.Lost}, latency median {median:F1} ms p95 {p95:F1} ms");
        return
        [
            new("latency_ms_median", Math.Round(median, 2)),
            new("latency_ms_p95", Math.Round(p95, 2)),
            new("recovered", r.Recovered),
            new("lost", r.Lost),
        ];
    }
}
