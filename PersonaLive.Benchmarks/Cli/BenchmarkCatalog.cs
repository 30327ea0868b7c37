namespace PersonaLive.Web.Cli;

/// <summary>Inputs every benchmark gets: an optional duration and a writer for progress lines.</summary>
public sealed record BenchmarkContext(int? Seconds, TextWriter Log);

/// <summary>
/// The benchmarks <c>./persona.sh bench NAME</c> knows. Each returns its ordered key/value results;
/// the command prints them as the BENCH line. Benchmarks live in this project (a folder per product
/// project they measure) and are registered here by name.
/// </summary>
internal static class BenchmarkCatalog
{
    public delegate Task<IReadOnlyList<KeyValuePair<string, double>>> Runner(BenchmarkContext context, CancellationToken cancellationToken);

    private static readonly Dictionary<string, Runner> Runners = new(StringComparer.Ordinal)
    {
        ["vp8"] = (c, ct) => PersonaLive.WebRtc.Benchmarks.Vp8Benchmark.RunAsync(c.Seconds, c.Log, ct),
        ["h264"] = (c, ct) => PersonaLive.WebRtc.Benchmarks.H264Benchmark.RunAsync(c.Seconds, c.Log, ct),
        ["srtp"] = (c, ct) => PersonaLive.WebRtc.Benchmarks.SrtpBenchmark.RunAsync(c.Seconds, c.Log, ct),
        ["loopback"] = (c, ct) => PersonaLive.WebRtc.Benchmarks.LoopbackBenchmark.RunAsync(c.Seconds, c.Log, ct),
        ["fuzz"] = (c, ct) => PersonaLive.WebRtc.Benchmarks.FuzzBenchmark.RunAsync(c.Seconds, c.Log, ct),
        ["lite"] = (c, ct) => PersonaLive.Inference.Benchmarks.LiteBenchmark.RunAsync(c.Seconds, c.Log, ct),
        ["lite-quality"] = (c, ct) => PersonaLive.Inference.Benchmarks.LiteQualityBenchmark.RunAsync(c.Seconds, c.Log, ct),
        ["personalive-tiny"] = (c, ct) => PersonaLive.Inference.Benchmarks.PersonaLiveTinyBenchmark.RunAsync(c.Seconds, c.Log, ct),
        ["e2e"] = (c, ct) => PersonaLive.Web.Live.Benchmarks.E2eBenchmark.RunAsync(c.Seconds, c.Log, ct),
        ["sessions"] = (c, ct) => PersonaLive.Web.Live.Benchmarks.SessionsBenchmark.RunAsync(c.Seconds, c.Log, ct),
        ["session-cost"] = (c, ct) => PersonaLive.Web.Live.Benchmarks.SessionCostBenchmark.RunAsync(c.Seconds, c.Log, ct),
        ["first-frame"] = (c, ct) => PersonaLive.Web.Live.Benchmarks.FirstFrameBenchmark.RunAsync(c.Log, ct),
        ["whip"] = (c, ct) => PersonaLive.Web.Live.Benchmarks.WhipBenchmark.RunAsync(c.Log, ct),
        ["storm"] = (c, ct) => PersonaLive.Web.Live.Benchmarks.StormBenchmark.RunAsync(c.Log, ct),
        ["network"] = (c, ct) => PersonaLive.Web.Live.Benchmarks.NetworkBenchmark.RunAsync(c.Seconds, c.Log, ct),
        ["soak"] = (c, ct) => PersonaLive.Web.Live.Benchmarks.SoakBenchmark.RunAsync(c.Seconds, c.Log, ct),
    };

    public static IReadOnlyCollection<string> Names => Runners.Keys;

    public static bool TryGet(string name, out Runner runner) => Runners.TryGetValue(name, out runner!);
}
