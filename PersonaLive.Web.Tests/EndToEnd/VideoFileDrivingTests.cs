using Microsoft.Playwright;
using PersonaLive.Web.Live.Benchmarks;
using PersonaLive.Web.Live.Portraits;
using SkiaSharp;
using static PersonaLive.Web.Tests.EndToEnd.LiteEngineEndToEndTests;

namespace PersonaLive.Web.Tests.EndToEnd;

/// <summary>
/// Driving from a video file instead of the camera (HTMLVideoElement.captureStream) in real headless
/// Chromium against the real app and WebRTC stack with the echo engine. The file is made inside the
/// browser: a canvas animation (a magenta square sliding over green) recorded with MediaRecorder as
/// VP8 WebM. The fake camera shows a grey-backed face instead, so green output proves the engine was
/// driven by the file and not by the camera.
/// </summary>
public sealed class VideoFileDrivingTests
{
    /// <summary>Records 3 s of a 320x240 canvas animation at 25 fps as WebM and returns it base64-encoded.</summary>
    private const string RecordWebmJs = @"async () => {
        const c = document.createElement('canvas'); c.width = 320; c.height = 240;
        const g = c.getContext('2d');
        let t = 0;
        const draw = () => {
            g.fillStyle = 'rgb(0,200,0)'; g.fillRect(0, 0, 320, 240);
            g.fillStyle = 'rgb(255,0,255)'; g.fillRect(20 + 200 * (0.5 + 0.5 * Math.sin(t++ / 6)), 80, 80, 80);
        };
        draw();
        const rec = new MediaRecorder(c.captureStream(25), { mimeType: 'video/webm;codecs=vp8', videoBitsPerSecond: 600000 });
        const chunks = [];
        rec.ondataavailable = e => { if (e.data.size) chunks.push(e.data); };
        rec.start(250);
        const timer = setInterval(draw, 40);
        await new Promise(r => setTimeout(r, 3000));
        clearInterval(timer);
        await new Promise(r => { rec.onstop = r; rec.stop(); });
        const bytes = new Uint8Array(await new Blob(chunks, { type: 'video/webm' }).arrayBuffer());
        let s = '';
        for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
        return btoa(s);
    }";

    /// <summary>Mean R, G, B of the output video's current frame.</summary>
    private const string MeanColourJs = @"() => {
        const v = document.querySelector('.output-video');
        const c = document.createElement('canvas'); c.width = 64; c.height = 64;
        const ctx = c.getContext('2d', { willReadFrequently: true });
        ctx.drawImage(v, 0, 0, 64, 64);
        const d = ctx.getImageData(0, 0, 64, 64).data, m = [0, 0, 0];
        for (let p = 0; p < d.length; p += 4) { m[0] += d[p]; m[1] += d[p + 1]; m[2] += d[p + 2]; }
        return m.map(x => x / (64 * 64));
    }";

    [Fact]
    public async Task A_recorded_webm_chosen_as_video_file_drives_the_session()
    {
        var ct = TestContext.Current.CancellationToken;
        var work = Directory.CreateTempSubdirectory("personalive-file-");
        try
        {
            var y4m = Path.Combine(work.FullName, "camera.y4m");
            var preset = new PresetPortraits().Find("ada")!;
            Y4mVideo.Write(y4m, 160, 120, 25, Y4mVideo.MovingFace(preset.Png, 160, 120, 10, new SKColor(120, 130, 140)));
            await using var host = await RealAppHost.StartAsync(y4m, new Dictionary<string, string> { ["Live:EchoEngineDelayMs"] = "0" }, ct);
            var studio = await host.OpenStudioAsync();

            var webm = Convert.FromBase64String(await studio.EvaluateAsync<string>(RecordWebmJs));
            Assert.True(webm.Length > 2000, $"MediaRecorder produced only {webm.Length} bytes");
            Assert.Equal([0x1A, 0x45, 0xDF, 0xA3], webm.Take(4)); // EBML header: a WebM file
            var file = Path.Combine(work.FullName, "driver.webm");
            await File.WriteAllBytesAsync(file, webm, ct);

            await studio.Locator("input[name=source][value=file]").CheckAsync();
            await Assertions.Expect(studio.Locator("#video-file")).ToBeVisibleAsync();
            await Assertions.Expect(studio.Locator("#camera-select")).ToHaveCountAsync(0);
            await studio.Locator("#video-file").SetInputFilesAsync(file);
            await studio.Locator(".preset").First.ClickAsync();
            await Assertions.Expect(studio.Locator("img.portrait-preview")).ToBeVisibleAsync();
            await studio.EvaluateAsync(CountFramesJs, ".output-video");
            // Keeps the page's peer connections reachable, only to print their sender stats if no frames come.
            await studio.EvaluateAsync("() => { window.__pcs = []; const O = window.RTCPeerConnection; window.RTCPeerConnection = function (...a) { const p = new O(...a); window.__pcs.push(p); return p; }; window.RTCPeerConnection.prototype = O.prototype; }");
            await studio.Locator("button.start").ClickAsync();

            try { await WaitForFramesAsync(studio, ".output-video", 25, TimeSpan.FromSeconds(60)); }
            catch (Xunit.Sdk.XunitException)
            {
                var cam = await studio.EvaluateAsync<string>("() => { const v = document.querySelector('.camera-video'); return `camera tile: readyState ${v.readyState}, ${v.videoWidth}x${v.videoHeight}, paused ${v.paused}, t ${v.currentTime}, src ${v.currentSrc}, error ${v.error && v.error.message}`; }");
                var s = host.Sessions.FindAllIds().Select(id => host.Sessions.Find(id)!.GetStats()).FirstOrDefault();
                TestContext.Current.TestOutputHelper?.WriteLine($"{cam}; server: {s}");
                var rtc = await studio.EvaluateAsync<string>("async () => { const out = []; for (const pc of window.__pcs) { const r = await pc.getStats(); r.forEach(x => { if (x.type === 'outbound-rtp' || x.type === 'media-source') out.push(JSON.stringify(x)); }); const t = pc.getSenders()[0].track; out.push('track ' + (t && (t.readyState + ' muted ' + t.muted + ' ' + JSON.stringify(t.getSettings())))); } return out.join('\\n'); }");
                TestContext.Current.TestOutputHelper?.WriteLine(rtc);
                throw;
            }
            Assert.Equal("Driving video", await studio.Locator(".tile-camera figcaption").InnerTextAsync());
            var source = await studio.EvaluateAsync<string>("() => { const v = document.querySelector('.camera-video'); return (v.srcObject ? 'stream' : 'none') + ' ' + v.currentSrc; }");
            Assert.StartsWith("none blob:", source, StringComparison.Ordinal); // the file plays in the tile; captureStream feeds the peer

            var session = host.Sessions.Find(host.Sessions.FindAllIds().Single())!;
            var stats = session.GetStats();
            TestContext.Current.TestOutputHelper?.WriteLine($"file-driven: server {stats.FpsIn:0.0} fps in, {stats.FpsOut:0.0} fps out, {stats.FramesSent} sent");
            Assert.True(stats.FpsIn > 5, $"the server receives driving frames ({stats.FpsIn:0.0} fps)");
            Assert.True(stats.FramesSent >= 25, $"{stats.FramesSent} animated frames sent");

            var rgb = await studio.EvaluateAsync<double[]>(MeanColourJs);
            TestContext.Current.TestOutputHelper?.WriteLine($"output mean colour R {rgb[0]:0} G {rgb[1]:0} B {rgb[2]:0}");
            Assert.True(rgb[1] > rgb[0] + 50 && rgb[1] > rgb[2] + 50, $"the echoed output is the green file, not the grey camera: R {rgb[0]:0} G {rgb[1]:0} B {rgb[2]:0}");

            await studio.Locator("button.stop").ClickAsync();
            await Assertions.Expect(studio.Locator("button.start")).ToBeEnabledAsync();
            for (var i = 0; i < 50 && host.Sessions.ActiveCount > 0; i++) await Task.Delay(100, ct);
            Assert.Equal(0, host.Sessions.ActiveCount);
        }
        finally
        {
            try { work.Delete(recursive: true); } catch (IOException) { }
        }
    }
}
