using Microsoft.Playwright;
using PersonaLive.TestSupport;

namespace PersonaLive.Web.Tests.Browser;

/// <summary>
/// Playwright on <see cref="StockChromium"/>: the browser tests' only way to launch Chromium. With a
/// <see cref="TestNetwork"/> the browser runs inside its namespace and reaches the app through
/// <see cref="NamespaceLoopbackForward"/> (start the app with <see cref="AppSettings"/>).
/// </summary>
internal static class StockBrowser
{
    /// <summary>Skips (fails under CI) when Chromium is missing.</summary>
    public static void RequireChromium()
    {
        if (!StockChromium.IsInstalled) Prerequisite.Missing($"{StockChromium.Path} is not installed (apt-get install chromium).");
    }

    /// <summary>Skips (fails under CI) saying what is missing: Chromium, or else a test network (<paramref name="networkProblem"/>).</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void Unavailable(string? networkProblem = null)
    {
        RequireChromium();
        Prerequisite.Missing(networkProblem ?? "the browser could not be started");
    }

    /// <summary>A test network, or a skip (a failure under CI) saying why there is none.</summary>
    public static TestNetwork RequireNetwork()
    {
        var network = TestNetwork.TryCreate(out var problem);
        if (network is null) Prerequisite.Missing(problem!);
        return network;
    }

    /// <summary>Launches stock Chromium (headless), inside <paramref name="network"/> when given.</summary>
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright, TestNetwork? network, string? cameraY4m = null, bool answerCameraPrompt = true)
    {
        string work = Directory.CreateTempSubdirectory("stock-chromium-").FullName;
        return playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = StockChromium.Executable(network, work),
            Headless = true,
            Args = StockChromium.Flags(cameraY4m, answerCameraPrompt),
        });
    }

    /// <summary>
    /// App settings for a browser in <paramref name="network"/>: Kestrel on 127.0.0.1:<paramref name="httpPort"/>
    /// (the namespace reaches it through <see cref="NamespaceLoopbackForward"/>, so the page is
    /// http://127.0.0.1:PORT in both namespaces, a secure context as for a user on the app's machine);
    /// the media socket on the network's host address only, announced as the only candidate.
    /// </summary>
    public static IReadOnlyDictionary<string, string> AppSettings(TestNetwork network, int httpPort) => new Dictionary<string, string>
    {
        ["urls"] = $"http://127.0.0.1:{httpPort}",
        ["Rtc:BindAddress"] = network.HostAddress.ToString(),
        ["Rtc:MediaPort"] = "0",
    };

    /// <summary>A TCP port free on 127.0.0.1 right now.</summary>
    public static int FreeTcpPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
