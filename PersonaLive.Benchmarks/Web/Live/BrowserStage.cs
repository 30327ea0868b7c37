using System.Diagnostics;
using System.Net;
using PersonaLive.TestSupport;
using PersonaLive.Web.Hosting;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// The stage of the browser benchmarks: the app on 127.0.0.1 (a free port), its media socket on the host
/// end of a test network only, and stock browsers inside the network's namespace opening the app at
/// http://127.0.0.1:PORT through a forward, as a user on the app's machine would (Chromium, or Firefox ESR once
/// the namespace has its fenced default route). All traffic stays on loopback and the test link; namespace and link are removed at the end.
/// </summary>
internal sealed class BrowserStage : IAsyncDisposable
{
    private readonly TestNetwork _network;
    private readonly NamespaceLoopbackForward _forward;

    private BrowserStage(WebApplication app, TestNetwork network, NamespaceLoopbackForward forward, string baseUrl)
    {
        App = app;
        _network = network;
        _forward = forward;
        BaseUrl = baseUrl;
    }

    public WebApplication App { get; }

    /// <summary>http://127.0.0.1:PORT: the app in both namespaces.</summary>
    public string BaseUrl { get; }

    /// <summary>Scratch folder, deleted at the end.</summary>
    public DirectoryInfo Work { get; } = Directory.CreateTempSubdirectory("personalive-bench-browser-");

    /// <summary>The test network the browsers run in.</summary>
    public TestNetwork Network => _network;

    /// <summary>Starts the app with <paramref name="extraArgs"/> (command-line settings) and the network.</summary>
    public static Task<BrowserStage> StartAsync(IEnumerable<string> extraArgs, CancellationToken ct) => StartAsync(_ => extraArgs, ct);

    /// <summary>Starts the network, then the app with the command-line settings <paramref name="extraArgs"/> makes for that network.</summary>
    public static async Task<BrowserStage> StartAsync(Func<TestNetwork, IEnumerable<string>> extraArgs, CancellationToken ct)
    {
        if (!StockChromium.IsInstalled) throw new InvalidOperationException($"{StockChromium.Path} is missing: apt-get install chromium.");
        var network = TestNetwork.TryCreate(out var problem) ?? throw new InvalidOperationException($"No test network: {problem}");
        try
        {
            int port = FreeTcpPort();
            var app = WebHostSetup.Build(
            [
                "--urls", $"http://127.0.0.1:{port}",
                "--Rtc:BindAddress", network.HostAddress.ToString(), "--Rtc:MediaPort", "0", .. extraArgs(network),
            ]);
            await app.StartAsync(ct).ConfigureAwait(false);
            var forward = NamespaceLoopbackForward.Start(network, new IPEndPoint(IPAddress.Loopback, port));
            return new BrowserStage(app, network, forward, $"http://127.0.0.1:{port}");
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Stock Chromium in the namespace on <paramref name="url"/>, its fake camera playing <paramref name="cameraY4m"/>.</summary>
    public Process StartChromium(string url, string cameraY4m) =>
        StockChromium.Start(url, cameraY4m, Directory.CreateDirectory(Path.Combine(Work.FullName, "profile-" + Guid.NewGuid().ToString("N"))).FullName, _network);

    /// <summary>Stock Firefox ESR in the namespace on <paramref name="url"/> (its own synthetic fake camera); needs <see cref="TestNetwork.AddFencedDefaultRoute"/> first.</summary>
    public Process StartFirefox(string url) =>
        StockFirefox.Start(url, Path.Combine(Work.FullName, "firefox-profile-" + Guid.NewGuid().ToString("N")), _network);

    private static int FreeTcpPort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        _forward.Dispose();
        await App.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
        _network.Dispose();
        try { Work.Delete(recursive: true); } catch (IOException) { }
    }
}
