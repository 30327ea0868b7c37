using PersonaLive.Media;
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
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Tests.Fakes;

namespace PersonaLive.Web.Tests.Browser;

/// <summary>
/// Smoke test of the real page in headless Chromium (Debian's package; never a downloaded browser):
/// live.js loads, the browser's fake camera opens, the offer it sends through the Blazor circuit is a
/// sendrecv video offer with VP8 preferred, uploads work through the real InputFile, and a denied camera
/// is explained. The server runs the echo test engine and a recording media factory (no WebRTC stack).
/// </summary>
public sealed class StudioBrowserTests : IAsyncLifetime
{
    private const string ChromiumPath = PersonaLive.TestSupport.StockChromium.Path; // the one launcher's binary
    private const string TestAnswerMessage = "Test media stack: offer received.";
    private readonly RecordingPeerFactory _peers = new();
    private WebApplicationFactory<Program>? _factory;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private string _baseUrl = "";

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath)) return;
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Live:EchoEngineDelayMs", "0");
            b.UseSetting("Live:WarmUpOnStart", "false");
            b.UseSetting("Rtc:MediaPort", "0"); // a free UDP port for the media socket
            b.UseSetting("urls", "http://127.0.0.1:0"); // never the configured port: another app may own it
            b.ConfigureTestServices(s => s.AddTestEngines().AddSingleton<IMediaPeerFactory>(_peers));
        });
        _factory.UseKestrel(0);
        _factory.StartServer();
        _baseUrl = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _playwright = await Playwright.CreateAsync();
        _browser = await StockBrowser.LaunchAsync(_playwright, network: null, answerCameraPrompt: false); // no WebRTC to a server here: the media factory records
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_factory is not null) await _factory.DisposeAsync();
    }

    private async Task<IPage> OpenStudioAsync(bool allowCamera)
    {
        if (_browser is null) StockBrowser.Unavailable();
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            Permissions = allowCamera ? ["camera"] : [],
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(_baseUrl + "/");
        // Interactive once the circuit is up and live.js reported the browser's capabilities.
        await page.Locator(".studio[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        return page;
    }

    private static async Task ChoosePresetAsync(IPage page)
    {
        await page.Locator(".preset").First.ClickAsync();
        await Assertions.Expect(page.Locator("img.portrait-preview")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Studio_opens_the_fake_camera_and_sends_a_vp8_sendrecv_offer()
    {
        var page = await OpenStudioAsync(allowCamera: true);
        await Assertions.Expect(page.Locator(".unsupported")).ToHaveCountAsync(0);
        await ChoosePresetAsync(page);
        await Assertions.Expect(page.Locator("button.start")).ToBeEnabledAsync();

        await page.Locator("button.start").ClickAsync();

        await Assertions.Expect(page.Locator(".live-status")).ToContainTextAsync(TestAnswerMessage);
        var offer = Assert.Single(_peers.Offers);
        var mVideo = offer.Split("\r\n").First(l => l.StartsWith("m=video", StringComparison.Ordinal));
        var firstPt = mVideo.Split(' ')[3];
        Assert.Contains($"a=rtpmap:{firstPt} VP8/90000", offer, StringComparison.Ordinal);
        Assert.Contains("a=sendrecv", offer, StringComparison.Ordinal);
        Assert.Contains("a=fingerprint:sha-256", offer, StringComparison.Ordinal);
        // The failed start released everything: the camera preview is stopped, Start is back.
        await Assertions.Expect(page.Locator("button.start")).ToBeEnabledAsync();
        Assert.Equal(0, _peers.Live);
    }

    [Fact]
    public async Task Upload_through_the_file_picker_shows_the_crop_and_rejects_non_images()
    {
        var page = await OpenStudioAsync(allowCamera: true);
        var png = Path.Combine(Path.GetTempPath(), $"portrait-{Guid.NewGuid():N}.png");
        var txt = Path.ChangeExtension(png, ".png.txt");
        await File.WriteAllBytesAsync(png, LiveTestServices.Png(300, 300), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(txt, "not an image", TestContext.Current.CancellationToken);
        try
        {
            await page.Locator("#portrait-file").SetInputFilesAsync(txt);
            await Assertions.Expect(page.Locator(".upload-error")).ToContainTextAsync("not a JPEG, PNG or WebP image");

            await page.Locator("#portrait-file").SetInputFilesAsync(png);
            await Assertions.Expect(page.Locator("img.portrait-preview")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator(".face-ok")).ToContainTextAsync("Face found");
        }
        finally
        {
            File.Delete(png);
            File.Delete(txt);
        }
    }

    [Fact]
    public async Task Latency_is_display_time_minus_capture_time_whichever_arrives_first()
    {
        var page = await OpenStudioAsync(allowCamera: true);
        var result = await page.EvaluateAsync<double[]>(@"async () => {
            const m = await import('/js/live.js');
            const c = m.createClient({ invokeMethodAsync: () => Promise.resolve([]) });
            c.recordDisplay(1000, 5_250_000);                         // shown before the server told us its capture time
            c.learnCaptureTimes([[1000, 5_000_000], [2000, 6_000_000]]);
            c.recordDisplay(2000, 6_180_000);                         // shown after
            c.recordDisplay(3000, 7_000_000);                         // never matched: not counted
            return c.latencies;
        }");
        Assert.Equal([250.0, 180.0], result);
        var caps = await page.EvaluateAsync<bool>("async () => { const m = await import('/js/live.js'); const c = m.capabilities(); return c.webrtc && c.camera && c.rvfc && c.codecPreferences && c.vp8 && c.captureStream; }");
        Assert.True(caps, "headless Chromium supports everything the Studio uses");
    }

    [Fact]
    public async Task Denied_camera_is_explained()
    {
        var page = await OpenStudioAsync(allowCamera: false);
        await ChoosePresetAsync(page);
        await page.Locator("button.start").ClickAsync();
        await Assertions.Expect(page.Locator(".live-status")).ToContainTextAsync("Camera access was denied");
        Assert.Empty(_peers.Offers);
    }

    /// <summary>Records offers and refuses them with a known message (there is no media stack in this test).</summary>
    private sealed class RecordingPeerFactory : IMediaPeerFactory
    {
        public ConcurrentQueue<string> Offers { get; } = new();
        public int Live => 0;
        public bool IsAvailable => true;
        public string? UnavailableReason => null;
        public ILiveMediaPeer CreatePeer(MediaPeerRole role)
        {
            var peer = new FakeMediaPeer(role, "browser-test") { AnswerFailure = new MediaNegotiationException(TestAnswerMessage) };
            return new OfferRecorder(peer, Offers);
        }
    }

    private sealed class OfferRecorder(FakeMediaPeer inner, ConcurrentQueue<string> offers) : ILiveMediaPeer
    {
        public string Id => inner.Id;
        public MediaPeerRole Role => inner.Role;
        public MediaPeerState State => inner.State;
        public event Action<MediaPeerState>? ConnectionStateChanged { add => inner.ConnectionStateChanged += value; remove => inner.ConnectionStateChanged -= value; }
        public event DecodedFrameHandler? FrameDecoded { add => inner.FrameDecoded += value; remove => inner.FrameDecoded -= value; }
        public event EncodedFrameHandler? FrameEncoded { add => inner.FrameEncoded += value; remove => inner.FrameEncoded -= value; }
        public event Action? KeyframeRequested { add => inner.KeyframeRequested += value; remove => inner.KeyframeRequested -= value; }
        public string CreateAnswer(string offerSdp) { offers.Enqueue(offerSdp); return inner.CreateAnswer(offerSdp); }
        public uint SendFrame(I420Frame frame, long captureTimeUs) => inner.SendFrame(frame, captureTimeUs);
        public void SendEncodedFrame(in EncodedVideoFrame frame) => inner.SendEncodedFrame(frame);
        public void RequestKeyframe() => inner.RequestKeyframe();
        public void ForceKeyframe() => inner.ForceKeyframe();
        public MediaPeerStats GetStats() => inner.GetStats();
        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
