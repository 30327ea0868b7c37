using System.CommandLine;
using PersonaLive.Web.Cli;

namespace PersonaLive.Benchmarks;

/// <summary>
/// Entry point behind <c>./persona.sh bench NAME [--seconds N]</c>: <c>bench NAME</c> runs one benchmark,
/// whose last output line is <c>BENCH NAME key=value ...</c>. A separate executable so the app ships no
/// benchmark. (Not named Program: the tests see this assembly's internals and name the app's Program.)
/// </summary>
internal static class BenchmarksMain
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("PersonaLive benchmarks.");
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(PersonaLive.Web.Live.Benchmarks.GarbageFlood.CreateCommand());
        return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
    }
}
