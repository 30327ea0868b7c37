using PersonaLive.Media;
using PersonaLive.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using PersonaLive.Testing.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Tests.Fakes;

namespace PersonaLive.Web.Tests.Browser;

/// <summary>
/// live.js against a real remote peer: the "server" answer comes from a second Chromium page that echoes
/// the camera track back on the same transceiver. Proves, in a real browser, the signalling through the
/// circuit, the sendrecv transceiver, ontrack -> output video, connection-state reports (Studio says
/// "Live") and the once-a-second stats call back to .NET — everything except our media stack itself.
/// </summary>
public sealed class EchoPeerBrowserTests : IAsyncLifetime
{
    private const string ChromiumPath = PersonaLive.TestSupport.StockChromium.Path; // the one launcher's binary
    private WebApplicationFactory<Program>? _factory;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private IPage? _echo;
    private readonly EchoPeerFactory _peers = new();
    private TestNetwork? _network;
    private NamespaceLoopbackForward? _forward;
    private string? _networkProblem;

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath)) return;
        // Two pages of a stock browser peer with each other over the namespace's link (the only
        // non-loopback interface it sees); the page reaches the app at the link's host end.
        _network = TestNetwork.TryCreate(out _networkProblem);
        if (_network is null) return;
        _playwright = await Playwright.CreateAsync();
        _browser = await StockBrowser.LaunchAsync(_playwright, _network);
        int httpPort = StockBrowser.FreeTcpPort();
        _echo = await _browser.NewPageAsync();
        await _echo.RouteAsync("http://localhost/echo", r => r.FulfillAsync(new RouteFulfillOptions { ContentType = "text/html", Body = "<title>echo</title>" }));
        await _echo.GotoAsync("http://localhost/echo");

        // Host peers answer through the echo page (blocking is fine here: the page runs independently of the circuit).
        _peers.Echo = _echo;
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Live:EchoEngineDelayMs", "0");
            b.UseSetting("Live:WarmUpOnStart", "false");
            foreach (var (k, v) in StockBrowser.AppSettings(_network!, httpPort)) b.UseSetting(k, v);
            b.ConfigureTestServices(s => s.AddTestEngines().AddSingleton<IMediaPeerFactory>(_peers));
        });
        _factory.UseKestrel();
        _factory.StartServer();
        _forward = NamespaceLoopbackForward.Start(_network, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, httpPort));
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_factory is not null) await _factory.DisposeAsync();
        _forward?.Dispose();
        _network?.Dispose();
    }

    [Fact]
    public async Task Studio_goes_live_against_a_browser_echo_peer_and_stops_cleanly()
    {
        if (_browser is null) StockBrowser.Unavailable(_networkProblem);
        var url = _factory!.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(a => a.Contains("127.0.0.1", StringComparison.Ordinal));
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(url + "/");
        await page.Locator(".studio[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        await page.Locator(".preset").First.ClickAsync();
        await Assertions.Expect(page.Locator("img.portrait-preview")).ToBeVisibleAsync();

        await page.Locator("button.start").ClickAsync();

        await Assertions.Expect(page.Locator(".live-status")).ToContainTextAsync("Live.", new LocatorAssertionsToContainTextOptions { Timeout = 20_000 });
        // The echoed camera plays in the output tile.
        await page.WaitForFunctionAsync("() => { const v = document.querySelector('video.output-video'); return v && v.readyState >= 2 && v.videoWidth > 0; }",
            null, new PageWaitForFunctionOptions { Timeout = 20_000 });
        await Assertions.Expect(page.Locator(".stats-overlay")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".share")).ToBeVisibleAsync();
        // Started muted by the property (the attribute alone does not set it), and playing without any click.
        Assert.True(await page.EvaluateAsync<bool>("() => { const v = document.querySelector('video.output-video'); return v.muted && !v.paused; }"));
        Assert.Equal(0, await page.Locator(".click-to-play").CountAsync());


        await page.Locator("button.stop").ClickAsync();
        await Assertions.Expect(page.Locator("button.start")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".live-status")).ToContainTextAsync("Stopped");
        Assert.All(_peers.Created, p => Assert.True(p.Disposed));
        var srcObjectCleared = await page.EvaluateAsync<bool>("() => document.querySelector('video.output-video').srcObject === null");
        Assert.True(srcObjectCleared);
    }

    [Fact]
    public async Task Output_the_browser_refuses_to_autoplay_gets_a_visible_click_to_play_that_starts_it()
    {
        if (_browser is null) StockBrowser.Unavailable(_networkProblem);
        var url = _factory!.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(a => a.Contains("127.0.0.1", StringComparison.Ordinal));
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        // This page forces the refusal a stricter autoplay policy gives (as on a share link opened with no
        // click at all): play() rejects until the user clicked the page's own "Click to play".
        await page.AddInitScriptAsync(@"(() => {
            const play = HTMLMediaElement.prototype.play;
            let clicked = false;
            document.addEventListener('click', e => { if (e.target.closest && e.target.closest('.click-to-play')) clicked = true; }, true);
            HTMLMediaElement.prototype.play = function () {
                return clicked ? play.call(this) : Promise.reject(new DOMException('play() needs a user gesture', 'NotAllowedError'));
            };
        })()");
        await page.GotoAsync(url + "/");
        await page.Locator(".studio[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        await page.Locator(".preset").First.ClickAsync();
        await page.Locator("button.start").ClickAsync();

        var button = page.Locator(".tile-output .click-to-play");
        await Assertions.Expect(button).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 20_000 });
        await Assertions.Expect(button).ToHaveTextAsync("Click to play");
        if (ScreenshotDir is { } shots)
        {
            Directory.CreateDirectory(shots);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "studio-click-to-play-chromium.png") });
        }

        await button.ClickAsync();
        await Assertions.Expect(button).ToHaveCountAsync(0);
        await page.WaitForFunctionAsync("() => { const v = document.querySelector('video.output-video'); return !v.paused && v.getVideoPlaybackQuality().totalVideoFrames > 10; }",
            null, new PageWaitForFunctionOptions { Timeout = 20_000 });
        if (ScreenshotDir is { } dir) await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, "studio-after-click-chromium.png") });
        await page.Locator("button.stop").ClickAsync();
    }

    /// <summary>Where browser tests leave screenshots to look at, when PERSONALIVE_SCREENSHOT_DIR is set.</summary>
    internal static string? ScreenshotDir => Environment.GetEnvironmentVariable("PERSONALIVE_SCREENSHOT_DIR") is { Length: > 0 } d ? d : null;

    private sealed class EchoPeerFactory : IMediaPeerFactory
    {
        public IPage? Echo { get; set; }
        public System.Collections.Concurrent.ConcurrentQueue<EchoAnsweringPeer> Created { get; } = new();
        public bool IsAvailable => true;
        public string? UnavailableReason => null;
        public ILiveMediaPeer CreatePeer(MediaPeerRole role)
        {
            var peer = new EchoAnsweringPeer(role, Echo!);
            Created.Enqueue(peer);
            return peer;
        }
    }

    /// <summary>A fake host peer whose answer comes from an RTCPeerConnection in the echo page.</summary>
    private sealed class EchoAnsweringPeer(MediaPeerRole role, IPage echo) : ILiveMediaPeer
    {
        private readonly FakeMediaPeer _inner = new(role, "echo");
        public string Id => _inner.Id;
        public MediaPeerRole Role => role;
        public MediaPeerState State => _inner.State;
        public event Action<MediaPeerState>? ConnectionStateChanged { add => _inner.ConnectionStateChanged += value; remove => _inner.ConnectionStateChanged -= value; }
        public event DecodedFrameHandler? FrameDecoded { add => _inner.FrameDecoded += value; remove => _inner.FrameDecoded -= value; }
        public event EncodedFrameHandler? FrameEncoded { add => _inner.FrameEncoded += value; remove => _inner.FrameEncoded -= value; }
        public event Action? KeyframeRequested { add => _inner.KeyframeRequested += value; remove => _inner.KeyframeRequested -= value; }

        public string CreateAnswer(string offerSdp)
        {
            _inner.CreateAnswer(offerSdp);
            const string script = @"async offer => {
                const pc = new RTCPeerConnection();
                window.echoPc = pc;
                pc.ontrack = e => { pc.getTransceivers()[0].sender.replaceTrack(e.track); };
                await pc.setRemoteDescription({ type: 'offer', sdp: offer });
                pc.getTransceivers()[0].direction = 'sendrecv';
                await pc.setLocalDescription(await pc.createAnswer());
                await new Promise(r => { if (pc.iceGatheringState === 'complete') r(); else pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); });
                return pc.localDescription.sdp;
            }";
            return Task.Run(() => echo.EvaluateAsync<string>(script, offerSdp)).GetAwaiter().GetResult();
        }

        public uint SendFrame(I420Frame frame, long captureTimeUs) => _inner.SendFrame(frame, captureTimeUs);
        public void SendEncodedFrame(in EncodedVideoFrame frame) => _inner.SendEncodedFrame(frame);
        public void RequestKeyframe() => _inner.RequestKeyframe();
        public void ForceKeyframe() => _inner.ForceKeyframe();
        public MediaPeerStats GetStats() => _inner.GetStats();
        public bool Disposed => _inner.Disposed;
        public async ValueTask DisposeAsync()
        {
            await echo.EvaluateAsync("() => window.echoPc && window.echoPc.close()");
            await _inner.DisposeAsync();
        }
    }
}
