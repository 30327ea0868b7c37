using PersonaLive.TestSupport;
using System.Text.Json;
using Microsoft.Playwright;
using PersonaLive.Web.Live.Portraits;
using PersonaLive.Web.Live.Benchmarks;
using SkiaSharp;

namespace PersonaLive.Web.Tests.Browser;

/// <summary>
/// The fake camera that browser tests drive the Studio with: a .y4m of a moving face written by
/// <see cref="Y4mVideo"/>. Chromium must play it as the camera: the corner shows the background colour
/// we chose and the centre (the face) changes between frames.
/// </summary>
public sealed class FakeCameraTests
{
    private const string ChromiumPath = PersonaLive.TestSupport.StockChromium.Path; // the one launcher's binary

    [Fact]
    public async Task Chromium_plays_our_y4m_as_the_camera()
    {
        if (!File.Exists(ChromiumPath)) Prerequisite.Missing($"{ChromiumPath} is not installed (apt-get install chromium).");
        var background = new SKColor(40, 160, 90);
        var y4m = Path.Combine(Path.GetTempPath(), $"moving-face-{Guid.NewGuid():N}.y4m");
        var preset = new PresetPortraits().All[0];
        Y4mVideo.Write(y4m, 320, 240, 25, Y4mVideo.MovingFace(preset.Png, 320, 240, 50, background));
        try
        {
            using var playwright = await Playwright.CreateAsync();
            await using var browser = await StockBrowser.LaunchAsync(playwright, network: null, y4m);
            var page = await browser.NewPageAsync();
            // Camera access needs a secure context: serve the probe page as http://localhost (intercepted, no server).
            await page.RouteAsync("http://localhost/camera-probe", route => route.FulfillAsync(new RouteFulfillOptions
            {
                ContentType = "text/html",
                Body = "<video id=v autoplay muted playsinline></video><canvas id=c width=320 height=240></canvas>",
            }));
            await page.GotoAsync("http://localhost/camera-probe");
            var json = await page.EvaluateAsync<string>(@"async () => {
                const v = document.getElementById('v');
                v.srcObject = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 } });
                await new Promise(r => v.onplaying = r);
                const ctx = document.getElementById('c').getContext('2d', { willReadFrequently: true });
                const grab = () => { ctx.drawImage(v, 0, 0, 320, 240); return [Array.from(ctx.getImageData(4, 4, 1, 1).data), Array.from(ctx.getImageData(100, 60, 120, 120).data)]; };
                const [corner, faceA] = grab();
                await new Promise(r => setTimeout(r, 700));
                const [, faceB] = grab();
                let diff = 0; for (let i = 0; i < faceA.length; i += 4) diff += Math.abs(faceA[i] - faceB[i]);
                return JSON.stringify({ corner, meanDiff: diff / (faceA.length / 4) });
            }");
            using var doc = JsonDocument.Parse(json);
            var corner = doc.RootElement.GetProperty("corner").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.InRange(corner[0], background.Red - 12, background.Red + 12);
            Assert.InRange(corner[1], background.Green - 12, background.Green + 12);
            Assert.InRange(corner[2], background.Blue - 12, background.Blue + 12);
            Assert.True(doc.RootElement.GetProperty("meanDiff").GetDouble() > 3, $"the face should move between frames: {json}");
        }
        finally
        {
            File.Delete(y4m);
        }
    }
}
