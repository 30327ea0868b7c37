using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using PersonaLive.Web.Live.Benchmarks;
using PersonaLive.Web.Live.Portraits;
using SkiaSharp;
using static PersonaLive.Web.Tests.EndToEnd.LiteEngineEndToEndTests;

namespace PersonaLive.Web.Tests.EndToEnd;

/// <summary>
/// The Studio (live, lite engine, fake camera) and the Watch page on a phone (390x844 CSS px, mobile,
/// touch) in real headless Chromium: nothing overflows sideways, the key controls are visible, inside
/// the screen, big enough to tap and not on top of each other, and every button, input, select and
/// video has an accessible name. Screenshots go to PERSONALIVE_SCREENSHOT_DIR when it is set.
/// </summary>
public sealed class PhoneLayoutTests
{
    private static BrowserNewContextOptions Phone() => new()
    {
        ViewportSize = new ViewportSize { Width = 390, Height = 844 },
        IsMobile = true,
        HasTouch = true,
        DeviceScaleFactor = 2,
        Permissions = ["camera"],
    };

    /// <summary>Page width, scroll width, and the visible elements that stick out of the viewport sideways.</summary>
    private const string OverflowJs = @"() => {
        const w = document.documentElement.clientWidth;
        const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\s+/).join('.') : '');
        const out = [];
        for (const e of document.querySelectorAll('body *')) {
            if (e.closest('.visually-hidden')) continue;
            const r = e.getBoundingClientRect();
            if (r.width > 0 && r.height > 0 && (r.right > w + 0.5 || r.left < -0.5)) out.push(`${name(e)} [${Math.round(r.left)}..${Math.round(r.right)}]`);
        }
        return JSON.stringify({ width: w, scrollWidth: document.documentElement.scrollWidth, offenders: out.slice(0, 12) });
    }";

    /// <summary>Bounding boxes of the first element matching each selector (null when absent or not rendered).</summary>
    private const string BoxesJs = @"sels => JSON.stringify(sels.map(s => {
        const e = document.querySelector(s);
        if (!e) return null;
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.height > 0 ? [r.left, r.top, r.width, r.height] : null;
    }))";

    private sealed record Overflow(int Width, int ScrollWidth, string[] Offenders);

    private static async Task AssertNoSidewaysOverflowAsync(IPage page, string what)
    {
        var o = JsonSerializer.Deserialize<Overflow>(await page.EvaluateAsync<string>(OverflowJs), JsonSerializerOptions.Web)!;
        Assert.True(o.ScrollWidth <= o.Width && o.Offenders.Length == 0,
            $"{what} overflows a {o.Width} px wide phone (scroll width {o.ScrollWidth}): {string.Join("; ", o.Offenders)}");
    }

    /// <summary>Each key control is rendered, inside the screen's width, at least 24x24 CSS px (WCAG 2.2 target size), and no two overlap.</summary>
    private static async Task AssertControlsLaidOutAsync(IPage page, int viewportWidth, params string[] selectors)
    {
        var boxes = JsonSerializer.Deserialize<double[]?[]>(await page.EvaluateAsync<string>(BoxesJs, selectors))!;
        for (var i = 0; i < selectors.Length; i++)
        {
            var b = boxes[i];
            Assert.True(b is not null, $"{selectors[i]} is not shown");
            Assert.True(b[0] >= -0.5 && b[0] + b[2] <= viewportWidth + 0.5, $"{selectors[i]} is outside the screen: x {b[0]:0}..{b[0] + b[2]:0}");
            Assert.True(b[2] >= 24 && b[3] >= 24, $"{selectors[i]} is too small to tap: {b[2]:0}x{b[3]:0}");
            for (var j = 0; j < i; j++)
            {
                var o = boxes[j]!;
                var w = Math.Min(b[0] + b[2], o[0] + o[2]) - Math.Max(b[0], o[0]);
                var h = Math.Min(b[1] + b[3], o[1] + o[3]) - Math.Max(b[1], o[1]);
                Assert.False(w > 0.5 && h > 0.5, $"{selectors[i]} overlaps {selectors[j]} by {w:0}x{h:0} px");
            }
        }
    }

    /// <summary>No two of these elements cover each other (e.g. the stats overlay and the tile's caption).</summary>
    private static async Task AssertApartAsync(IPage page, string first, string second)
    {
        var boxes = JsonSerializer.Deserialize<double[]?[]>(await page.EvaluateAsync<string>(BoxesJs, new[] { first, second }))!;
        Assert.True(boxes[0] is not null && boxes[1] is not null, $"{first} or {second} is not shown");
        var (a, b) = (boxes[0]!, boxes[1]!);
        var w = Math.Min(a[0] + a[2], b[0] + b[2]) - Math.Max(a[0], b[0]);
        var h = Math.Min(a[1] + a[3], b[1] + b[3]) - Math.Max(a[1], b[1]);
        Assert.False(w > 0.5 && h > 0.5, $"{first} covers {second} by {w:0}x{h:0} px");
    }

    /// <summary>Every button, input, select and video has a non-empty accessible name (Playwright's computation).</summary>
    private static async Task AssertAccessibleNamesAsync(IPage page)
    {
        var controls = page.Locator("button, input, select, video");
        var count = await controls.CountAsync();
        Assert.True(count > 0);
        for (var i = 0; i < count; i++)
        {
            var control = controls.Nth(i);
            var html = await control.EvaluateAsync<string>("e => e.outerHTML.slice(0, 160)");
            try { await Assertions.Expect(control).ToHaveAccessibleNameAsync(new Regex(@"\S"), new() { Timeout = 2000 }); }
            catch (PlaywrightException) { Assert.Fail($"no accessible name: {html}"); }
        }
    }

    private static async Task ShootAsync(IPage page, string file, bool fullPage)
    {
        if (Environment.GetEnvironmentVariable("PERSONALIVE_SCREENSHOT_DIR") is not { Length: > 0 } dir) return;
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new() { Path = Path.Combine(dir, file), FullPage = fullPage });
    }

    [Fact]
    public async Task Studio_and_watch_page_fit_a_phone_and_name_every_control()
    {
        var ct = TestContext.Current.CancellationToken;
        var work = Directory.CreateTempSubdirectory("personalive-phone-");
        try
        {
            var y4m = Path.Combine(work.FullName, "camera.y4m");
            var preset = new PresetPortraits().Find("kofi")!;
            Y4mVideo.Write(y4m, 480, 640, 25, Y4mVideo.MovingFace(preset.Png, 480, 640, 50, new SKColor(120, 130, 140))); // a phone camera is portrait
            await using var host = await RealAppHost.StartAsync(y4m, new Dictionary<string, string>(), ct);

            var studio = await host.OpenStudioAsync(Phone());
            await AssertNoSidewaysOverflowAsync(studio, "the empty Studio");
            await AssertAccessibleNamesAsync(studio);
            await studio.Locator(".preset").First.TapAsync();
            await Assertions.Expect(studio.Locator("img.portrait-preview")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await AssertNoSidewaysOverflowAsync(studio, "the Studio with a portrait");
            await AssertControlsLaidOutAsync(studio, 390, ".dropzone", ".preset-list li:nth-child(1) .preset", ".preset-list li:nth-child(3) .preset",
                ".tile-camera", ".tile-output", ".source label:nth-of-type(1)", ".source label:nth-of-type(2)", "#camera-select", "button.start");

            await studio.EvaluateAsync(CountFramesJs, ".output-video");
            await studio.Locator("button.start").TapAsync();
            await WaitForFramesAsync(studio, ".output-video", 25, TimeSpan.FromSeconds(60));
            await Assertions.Expect(studio.Locator(".stats-overlay")).ToBeVisibleAsync();
            await studio.Locator("button.share").TapAsync();
            await Assertions.Expect(studio.Locator("#share-url")).ToBeVisibleAsync();
            await AssertNoSidewaysOverflowAsync(studio, "the live Studio");
            await AssertControlsLaidOutAsync(studio, 390, ".dropzone", ".tile-camera", ".tile-output", "#camera-select",
                "button.stop", "button.recenter", "#share-url", "button.revoke");
            await AssertAccessibleNamesAsync(studio);
            await Task.Delay(1500, ct); // a stats tick: the overlay shows all its numbers
            await AssertApartAsync(studio, ".tile-output figcaption", ".stats-overlay");
            await ShootAsync(studio, "studio-phone.png", fullPage: true);

            var url = await studio.Locator("#share-url").InputValueAsync();
            var viewer = await host.OpenAsync(url, Phone());
            await Assertions.Expect(viewer.Locator(".live-badge")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await viewer.EvaluateAsync(CountFramesJs, ".watch-video");
            await WaitForFramesAsync(viewer, ".watch-video", 10, TimeSpan.FromSeconds(30));
            await AssertNoSidewaysOverflowAsync(viewer, "the Watch page");
            await AssertControlsLaidOutAsync(viewer, 390, ".topbar", ".watch-video");
            var video = await viewer.Locator(".watch-video").BoundingBoxAsync();
            Assert.True(video!.Y + video.Height <= 844 && video.Width >= 300, $"the video fills the phone's width and fits its height: {video.Width:0}x{video.Height:0} at y {video.Y:0}");
            var stream = await viewer.EvaluateAsync<int[]>("() => { const v = document.querySelector('.watch-video'); return [v.videoWidth, v.videoHeight]; }");
            Assert.True(Math.Abs(video.Height - video.Width * stream[1] / stream[0]) < 4,
                $"the {stream[0]}x{stream[1]} stream fills its {video.Width:0}x{video.Height:0} box without letterbox bars");
            await AssertAccessibleNamesAsync(viewer);
            await ShootAsync(viewer, "watch-phone.png", fullPage: false);

            // ?chromeless=1 (an OBS browser source, laptop-sized): the video alone fills the window; no text, links or
            // header (Blazor's error bar, hidden unless the circuit breaks, is the only other element).
            var obs = await host.OpenAsync(url + "?chromeless=1");
            await obs.WaitForFunctionAsync("() => { const v = document.querySelector('video.watch-video'); return v && v.readyState >= 2 && v.videoWidth > 0; }",
                null, new() { Timeout = 30_000 });
            var bare = await obs.EvaluateAsync<string>(@"() => {
                const v = document.querySelector('video.watch-video').getBoundingClientRect();
                return [document.body.innerText.trim().length, [...document.querySelectorAll('a, header, nav, h1, button, .topbar, .live-badge')].filter(e => !e.closest('#blazor-error-ui')).length,
                        Math.round(v.width), Math.round(v.height), window.innerWidth, window.innerHeight, document.documentElement.scrollHeight].join(' ');
            }");
            Assert.Equal("0 0 1280 900 1280 900 900", bare);

            await studio.Locator("button.stop").TapAsync();
            await Assertions.Expect(studio.Locator("button.start")).ToBeVisibleAsync();
        }
        finally
        {
            try { work.Delete(recursive: true); } catch (IOException) { }
        }
    }
}
