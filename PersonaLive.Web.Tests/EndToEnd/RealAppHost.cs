using PersonaLive.TestSupport;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Media.Rtc;
using PersonaLive.Web.Live.Sessions;

namespace PersonaLive.Web.Tests.EndToEnd;

/// <summary>
/// The real app for end-to-end tests: Kestrel on a free 127.0.0.1 port, the real WebRTC stack on a free
/// UDP port, the configured engine (lite unless <c>Live:EchoEngineDelayMs</c> is given), warmed up before
/// the browser starts; plus Debian's headless Chromium whose fake camera plays a given .y4m. Every
/// glass-to-glass sample the pages report is collected in <see cref="Latencies"/>.
/// </summary>
internal sealed class RealAppHost : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private readonly WebApplicationFactory<Program> _factory;
    private readonly IPlaywright _playwright;

    private RealAppHost(WebApplicationFactory<Program> factory, IPlaywright playwright, IBrowser browser, string baseUrl)
    {
        _factory = factory;
        _playwright = playwright;
        Browser = browser;
        BaseUrl = baseUrl;
        Sessions.GlassToGlassReported += (_, ms) => Latencies.Enqueue(ms);
    }

    public IBrowser Browser { get; }
    public string BaseUrl { get; }
    public ConcurrentQueue<double> Latencies { get; } = new();
    public IServiceProvider Services => _factory.Services;
    public LiveSessionManager Sessions => Services.GetRequiredService<LiveSessionManager>();
    public int PeerConnections => (Services.GetRequiredService<IMediaPeerFactory>() as RtcMediaPeerFactory)?.Server?.PeerConnectionCount ?? -1;

    public static async Task<RealAppHost> StartAsync(string cameraY4m, IReadOnlyDictionary<string, string> settings, CancellationToken ct)
    {
        if (!File.Exists(ChromiumPath)) Prerequisite.Missing($"{ChromiumPath} is not installed (apt-get install chromium).");
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Live:WarmUpOnStart", "false");
            b.UseSetting("Rtc:MediaPort", "0");
            b.UseSetting("urls", "http://127.0.0.1:0");
            foreach (var (k, v) in settings) b.UseSetting(k, v);
        });
        factory.UseKestrel(0);
        factory.StartServer();
        var peers = factory.Services.GetRequiredService<IMediaPeerFactory>();
        if (!peers.IsAvailable) Assert.Fail($"The WebRTC stack is unavailable: {peers.UnavailableReason}");
        await factory.Services.GetRequiredService<IAnimationEngineFactory>().WarmUpAsync(null, ct);
        var baseUrl = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", $"--use-file-for-fake-video-capture={cameraY4m}",
                "--no-sandbox", "--disable-gpu", "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns",
                "--autoplay-policy=no-user-gesture-required", "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
            ],
        });
        return new RealAppHost(factory, playwright, browser, baseUrl);
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
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await _factory.DisposeAsync();
    }
}
