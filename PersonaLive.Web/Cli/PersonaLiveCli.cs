using System.CommandLine;
using PersonaLive.Web.Hosting;

namespace PersonaLive.Web.Cli;

/// <summary>
/// The application's command line, behind <c>./persona.sh</c>: <c>serve</c> (default) starts the web app,
/// <c>models</c> provisions model files ahead of time. Benchmarks are a separate executable
/// (PersonaLive.Benchmarks), so the app ships none of them.
/// </summary>
public static class PersonaLiveCli
{
    public static RootCommand Create()
    {
        var root = new RootCommand("PersonaLive: live portrait animation over WebRTC.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        // Unmatched tokens (e.g. --urls, --environment from WebApplicationFactory) go to the ASP.NET Core host.
        root.SetAction((parse, ct) => WebHostRunner.RunAsync(parse.UnmatchedTokens.ToArray(), ct));

        var serve = new Command("serve", "Start the web app (default verb). Extra options go to ASP.NET Core, e.g. --urls.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        serve.SetAction((parse, ct) => WebHostRunner.RunAsync(parse.UnmatchedTokens.ToArray(), ct));
        root.Subcommands.Add(serve);

        root.Subcommands.Add(ModelsCommand.Create());
        return root;
    }
}
