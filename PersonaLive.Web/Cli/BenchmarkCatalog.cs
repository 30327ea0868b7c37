namespace PersonaLive.Web.Cli;

/// <summary>Inputs every benchmark gets: an optional duration and a writer for progress lines.</summary>
public sealed record BenchmarkContext(int? Seconds, TextWriter Log);

/// <summary>
/// The benchmarks <c>./persona.sh bench NAME</c> knows. Each returns its ordered key/value results;
/// the command prints them as the BENCH line. Benchmarks live next to the code they measure and are
/// registered here by name.
/// </summary>
internal static class BenchmarkCatalog
{
    public delegate Task<IReadOnlyList<KeyValuePair<string, double>>> Runner(BenchmarkContext context, CancellationToken cancellationToken);

    private static readonly Dictionary<string, Runner> Runners = new(StringComparer.Ordinal)
    {
    };

    public static IReadOnlyCollection<string> Names => Runners.Keys;

    public static bool TryGet(string name, out Runner runner) => Runners.TryGetValue(name, out runner!);
}
