using Microsoft.Playwright;
using PersonaLive.Inference.Benchmarks;
using PersonaLive.Web.Live.Benchmarks;
using PersonaLive.Web.Tests.Browser;
using PersonaLive.Web.Tests.EndToEnd;

namespace PersonaLive.Web.Tests.Signalling;

/// <summary>
/// Clients nobody here wrote, end to end: stock Chromium publishes its fake camera (the astronaut) through
/// the npm package whip-whep's WHIPClient with the token the Studio's "Drive from OBS / another app" panel
/// made; the lite engine animates the panel's portrait; the output plays in that Studio panel and, through
/// the package's WHEPClient, from the panel's share link; the publisher's DELETE ends the session.
/// </summary>
[Collection(nameof(LiteEngineEndToEndTests))]
public sealed class ChromiumWhipWhepJsTests
{
    [Fact]
    public async Task Chromium_publishes_with_whip_whep_and_plays_the_output_with_its_whep_client()
    {
        var ct = TestContext.Current.CancellationToken;
        StockBrowser.RequireChromium();
        if (!File.Exists("/usr/bin/npm") && !File.Exists("/usr/local/bin/npm")) PersonaLive.TestSupport.Prerequisite.Missing("npm is not installed (apt-get install npm).");
        var package = await WhipWhepJsPackage.InstallAsync(ct);
        var astronaut = await SampleFace.AstronautAsync(null, ct);
        var y4m = Path.Combine(Path.GetTempPath(), $"whip-astronaut-{Guid.NewGuid():N}.y4m");
        Y4mVideo.Write(y4m, 640, 480, 25, LiteEngineEndToEndTests.TwoPoses(await File.ReadAllBytesAsync(astronaut, ct), 640, 480));
        try
        {
            await using var host = await RealAppHost.StartAsync(y4m, new Dictionary<string, string>(), ct);
            var studio = await host.OpenStudioAsync();
            await studio.Locator("button.preset").First.ClickAsync();
            await Assertions.Expect(studio.Locator("button.make-token")).ToBeEnabledAsync(new() { Timeout = 30_000 });
            await studio.Locator("button.make-token").ClickAsync();
            var whipUrl = await studio.Locator("#whip-url").InputValueAsync();
            var token = await studio.Locator("#whip-token").InputValueAsync();
            Assert.EndsWith("/whip", whipUrl, StringComparison.Ordinal);

            // The package's files are served to the page from the app's origin by the test.
            var publisher = await host.OpenAsync("/healthz");
            await publisher.Context.RouteAsync("**/whip-interop/*", async route =>
            {
                var name = new Uri(route.Request.Url).Segments[^1];
                var (path, type) = name == "interop.html"
                    ? (Path.Combine(AppContext.BaseDirectory, "Signalling", "WhipWhepJs", "interop.html"), "text/html")
                    : (Path.Combine(package, Path.GetFileName(name)), "text/javascript");
                await route.FulfillAsync(new() { Status = 200, ContentType = type, BodyBytes = await File.ReadAllBytesAsync(path) });
            });
            await publisher.GotoAsync(host.BaseUrl + "/whip-interop/interop.html");
            await publisher.WaitForFunctionAsync("() => typeof window.publish === 'function'");
            Assert.Equal("published", await publisher.EvaluateAsync<string>("([u, t]) => window.publish(u, t)", new[] { whipUrl, token }));

            // The Studio that made the token shows the driven output.
            await Assertions.Expect(studio.Locator("video.whip-output")).ToBeAttachedAsync(new() { Timeout = 30_000 });
            await studio.EvaluateAsync(LiteEngineEndToEndTests.CountFramesJs, "video.whip-output");
            await LiteEngineEndToEndTests.WaitForFramesAsync(studio, "video.whip-output", 25, TimeSpan.FromSeconds(60));
            Assert.Equal(1, host.Sessions.ActiveCount);
            if (Environment.GetEnvironmentVariable("PERSONALIVE_SCREENSHOT_DIR") is { Length: > 0 } shots)
            {
                Directory.CreateDirectory(shots);
                await studio.Locator(".whip-panel").ScreenshotAsync(new() { Path = Path.Combine(shots, "whip-panel.png") });
            }

            // The package's WHEP client plays the panel's share link.
            var watchUrl = await studio.Locator(".whip-share").InnerTextAsync();
            var shareToken = watchUrl.Trim().Split('/')[^1];
            Assert.Equal("viewing", await publisher.EvaluateAsync<string>("u => window.play(u)", host.BaseUrl + "/whep/" + shareToken));
            for (var i = 0; i < 150 && await publisher.EvaluateAsync<int>("() => window.framesDecoded()") < 20; i++) await Task.Delay(200, ct);
            var decoded = await publisher.EvaluateAsync<int>("() => window.framesDecoded()");
            Assert.True(decoded >= 20, $"whip-whep's WHEP client decoded {decoded} frames");
            TestContext.Current.TestOutputHelper?.WriteLine($"WHEP first frame after {await publisher.EvaluateAsync<double?>("() => window.firstFrameMs")} ms; {decoded} frames decoded");

            // The publisher stops (DELETE): the session ends and the panel says so.
            await publisher.EvaluateAsync("() => window.whip.stop()");
            await Assertions.Expect(studio.Locator(".whip-status")).ToContainTextAsync("The publisher stopped", new() { Timeout = 10_000 });
            for (var i = 0; i < 50 && (host.Sessions.ActiveCount > 0 || host.Sessions.Admission.Active > 0); i++) await Task.Delay(100, ct);
            Assert.Equal(0, host.Sessions.ActiveCount);
            Assert.Equal(0, host.Sessions.Admission.Active);
        }
        finally
        {
            File.Delete(y4m);
        }
    }
}
