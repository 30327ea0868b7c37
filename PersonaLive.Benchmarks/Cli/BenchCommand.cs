using System.CommandLine;
using System.Globalization;

namespace PersonaLive.Web.Cli;

/// <summary>
/// <c>bench NAME [--seconds N]</c>: runs one benchmark from <see cref="BenchmarkCatalog"/> and prints, as
/// its last line, <c>BENCH NAME key=value ...</c> so results compare run to run (names and keys are stable).
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "Benchmark name: " + string.Join(", ", BenchmarkCatalog.Names) };
        var seconds = new Option<int?>("--seconds") { Description = "Duration for time-based benchmarks." };
        var cmd = new Command("bench", "Run a benchmark; the last line is 'BENCH NAME key=value ...'.") { name, seconds };
        cmd.SetAction(async (parse, ct) =>
        {
            var benchName = parse.GetValue(name)!;
            if (!BenchmarkCatalog.TryGet(benchName, out var run))
            {
                await Console.Error.WriteLineAsync(
                    $"Unknown benchmark '{benchName}'. Available: {(BenchmarkCatalog.Names.Count == 0 ? "(none yet)" : string.Join(", ", BenchmarkCatalog.Names))}.");
                return 2;
            }
            var result = await run(new BenchmarkContext(parse.GetValue(seconds), Console.Out), ct);
            Console.WriteLine(FormatLine(benchName, result));
            return 0;
        });
        return cmd;
    }

    /// <summary>Formats the closing line: <c>BENCH name k=v k=v</c>, numbers invariant with up to 3 decimals.</summary>
    public static string FormatLine(string name, IEnumerable<KeyValuePair<string, double>> values) =>
        "BENCH " + name + string.Concat(values.Select(kv => " " + kv.Key + "=" + kv.Value.ToString("0.###", CultureInfo.InvariantCulture)));
}
