using PersonaLive.TestSupport;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using PersonaLive.Testing.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Media.Rtc;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.Web.Tests.Browser;

namespace PersonaLive.Web.Tests.EndToEnd;

/// <summary>
/// The real app for end-to-end tests: Kestrel on a free port and the real WebRTC stack on a free UDP port,
/// both on the host end of a <see cref="TestNetwork"/>, the configured engine (lite unless
/// <c>Live:EchoEngineDelayMs</c> is given), warmed up before the browser starts; plus stock headless
/// Chromium inside the network's namespace, its fake camera playing a given .y4m. Every glass-to-glass
/// sample the pages report is collected in <see cref="Latencies"/>.
/// </summary>
internal sealed class RealAppHost : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> _factory;
    private readonly IPlaywright? _playwright;
    private readonly IBrowser? _browser;

    private readonly NamespaceLoopbackForward _forward;

    private RealAppHost(WebApplicationFactory<Program> factory, IPlaywright? playwright, IBrowser? browser, string baseUrl, TestNetwork network,
        NamespaceLoopbackForward forward)
    {
        Network = network;
        _forward = forward;
        _factory = factory;
        _playwright = playwright;
        _browser = browser;
        BaseUrl = baseUrl;
        Sessions.GlassToGlassReported += (_, ms) => Latencies.Enqueue(ms);
    }

    /// <summary>The stock Chromium (absent when the test drives another browser itself).</summary>
    public IBrowser Browser => _browser ?? throw new InvalidOperationException("This host started no Chromium.");

    /// <summary>The test network the browser runs in (start further browsers inside it).</summary>
    public TestNetwork Network { get; }
    public string BaseUrl { get; }

    /// <summary>The app's URL as seen from inside <see cref="Network"/>'s namespace (its loopback forward).</summary>
    public string NamespaceBaseUrl => $"http://127.0.0.1:{_forward.Port}";
    public ConcurrentQueue<double> Latencies { get; } = new();
    public IServiceProvider Services => _factory.Services;
    public LiveSessionManager Sessions => Services.GetRequiredService<LiveSessionManager>();
    public int PeerConnections => (Services.GetRequiredService<IMediaPeerFactory>() as RtcMediaPeerFactory)?.Server?.PeerConnectionCount ?? -1;

    /// <summary>
    /// Starts the app and the browser; <paramref name="networkSettings"/> adds settings that depend on the
    /// test network (e.g. a TURN server on its host address), made once the network exists. With
    /// <paramref name="cameraY4m"/> null no Chromium starts (the test brings its own browser into <see cref="Network"/>).
    /// </summary>
    public static async Task<RealAppHost> StartAsync(string? cameraY4m, IReadOnlyDictionary<string, string> settings, CancellationToken ct,
        Func<TestNetwork, IReadOnlyDictionary<string, string>>? networkSettings = null)
    {
        if (cameraY4m is not null) StockBrowser.RequireChromium();
        var network = StockBrowser.RequireNetwork();
        var more = networkSettings?.Invoke(network) ?? new Dictionary<string, string>();
        int httpPort = StockBrowser.FreeTcpPort();
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Live:WarmUpOnStart", "false");
            foreach (var (k, v) in StockBrowser.AppSettings(network, httpPort)) b.UseSetting(k, v);
            foreach (var (k, v) in settings.Concat(more)) b.UseSetting(k, v);
            b.ConfigureTestServices(s => s.AddTestEngines());
        });
        factory.UseKestrel();
        factory.StartServer();
        var forward = NamespaceLoopbackForward.Start(network, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, httpPort));
        var peers = factory.Services.GetRequiredService<IMediaPeerFactory>();
        if (!peers.IsAvailable) Assert.Fail($"The WebRTC stack is unavailable: {peers.UnavailableReason}");
        await factory.Services.GetRequiredService<IAnimationEngineFactory>().WarmUpAsync(null, ct);
        var baseUrl = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(a => a.Contains("127.0.0.1", StringComparison.Ordinal));
        if (cameraY4m is null) return new RealAppHost(factory, null, null, baseUrl, network, forward);
        var playwright = await Playwright.CreateAsync();
        var browser = await StockBrowser.LaunchAsync(playwright, network, cameraY4m);
        return new RealAppHost(factory, playwright, browser, baseUrl, network, forward);
    }

    /// <summary>
    /// A fresh browser context (own cookies and circuit) on <paramref name="path"/>; a laptop-sized window
    /// with camera permission unless <paramref name="options"/> says otherwise (e.g. a phone).
    /// </summary>
    public async Task<IPage> OpenAsync(string path, BrowserNewContextOptions? options = null)
    {
        var context = await Browser.NewContextAsync(options ?? new BrowserNewContextOptions
        {
            Permissions = ["camera"],
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(path.StartsWith("http", StringComparison.Ordinal) ? path : BaseUrl + path);
        return page;
    }

    /// <summary>Opens the Studio and waits until its circuit runs and live.js reported the browser's capabilities.</summary>
    public async Task<IPage> OpenStudioAsync(BrowserNewContextOptions? options = null)
    {
        var page = await OpenAsync("/", options);
        await page.Locator(".studio[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached, Timeout = 60_000 });
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        await _factory.DisposeAsync();
        _forward.Dispose();
        Network.Dispose();
    }
}
