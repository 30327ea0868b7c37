namespace PersonaLive.Web.Hosting;

/// <summary>Builds and runs the web host; prints the URL(s) it listens on once started.</summary>
internal static class WebHostRunner
{
    public static async Task<int> RunAsync(string[] hostArgs, CancellationToken cancellationToken)
    {
        var app = WebHostSetup.Build(hostArgs);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var url in app.Urls)
                Console.WriteLine($"PersonaLive is running: open {url}");
        });
        await app.RunAsync(cancellationToken);
        return 0;
    }
}
