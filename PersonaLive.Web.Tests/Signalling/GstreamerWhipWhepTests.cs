using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PersonaLive.Inference.Engines;
using PersonaLive.TestSupport;
using PersonaLive.Web.Live.Portraits;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.Web.Live.Signalling;
using PersonaLive.Web.Tests.EndToEnd;

namespace PersonaLive.Web.Tests.Signalling;

/// <summary>What the GStreamer WHIP/WHEP script printed.</summary>
internal sealed record GstRun(int? Post, bool Connected, int Frames, int Width, int Height, double Luma, int? Delete, string? Error);

/// <summary>
/// H.264 through the standard doors with software nobody here wrote: GStreamer webrtcbin + openh264enc
/// publishes an H.264-only offer over WHIP (as OBS and FFmpeg do) to the real app (echo engine, real
/// media stack); its frames are decoded by the session; the output is played at once by a GStreamer
/// H.264-only WHEP player (openh264dec) and by a VP8 WHEP player, so the host encodes once per codec
/// and each viewer gets the bitstream it negotiated. Runs in a test network namespace: libnice gathers
/// no loopback candidates.
/// </summary>
[Collection(nameof(LiteEngineEndToEndTests))]
public sealed class GstreamerWhipWhepTests
{
    private const string Python = "/usr/bin/python3";

    [Fact]
    public async Task Gstreamer_h264_publisher_over_whip_is_played_by_h264_and_vp8_whep_viewers()
    {
        var ct = TestContext.Current.CancellationToken;
        RequireGstreamer();
        await using var host = await RealAppHost.StartAsync(null, new Dictionary<string, string> { ["Live:EchoEngineDelayMs"] = "0" }, ct);
        var engines = host.Services.GetRequiredService<IAnimationEngineFactory>();
        var portrait = (await engines.PreparePortraitAsync(new PresetPortraits().Find("ada")!.Png, ct)).Portrait!;
        var tokens = host.Services.GetRequiredService<IngestTokens>();
        var token = tokens.Create(portrait);
        var started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        tokens.SessionStarted += (_, id) => started.TrySetResult(id);

        var publisher = StartScript(host, "publish", host.NamespaceBaseUrl + WhipEndpoints.Path, token.Value, "10");
        var sessionId = await started.Task.WaitAsync(TimeSpan.FromSeconds(20), ct);
        var share = host.Sessions.Share(sessionId);

        // A VP8 WHEP player (our stack) and an H.264-only one (GStreamer) watch at the same time.
        await using var vp8Viewer = new SignallingTestPeer(host.Network.HostAddress.ToString());
        using var http = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
        using var content = new StringContent(vp8Viewer.Peer.CreateOffer("recvonly"));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/sdp");
        using var response = await http.PostAsync(WhepEndpoints.EndpointFor(share.Token), content, ct);
        var vp8Answer = await response.Content.ReadAsStringAsync(ct);
        Assert.True(response.IsSuccessStatusCode, vp8Answer);
        Assert.Contains("VP8/90000", vp8Answer, StringComparison.Ordinal);
        vp8Viewer.Peer.SetAnswer(vp8Answer);
        var h264Viewer = await FinishAsync(StartScript(host, "view", host.NamespaceBaseUrl + WhepEndpoints.EndpointFor(share.Token), "8"), ct);
        var framesIn = host.Sessions.Find(sessionId)?.GetTransportStats().FramesDecoded ?? 0;
        var vp8Frames = vp8Viewer.FramesDecoded;
        var vp8Stats = vp8Viewer.Peer.GetStats();
        var published = await FinishAsync(publisher, ct);

        Assert.True(published.Error is null, $"publisher: {published.Error}");
        Assert.Equal(201, published.Post);
        Assert.True(published.Connected, "the GStreamer publisher never connected");
        Assert.True(framesIn >= 30, $"the session decoded {framesIn} of GStreamer's H.264 frames");
        Assert.True(h264Viewer.Error is null, $"H.264 viewer: {h264Viewer.Error}");
        Assert.Equal(201, h264Viewer.Post);
        Assert.True(h264Viewer.Frames >= 30, $"openh264dec decoded {h264Viewer.Frames} frames of our output");
        Assert.Equal((256, 256), (h264Viewer.Width, h264Viewer.Height));
        Assert.InRange(h264Viewer.Luma, 90, 110); // the echo engine returns the grey 0x60 camera: luma about 99
        Assert.Equal(200, h264Viewer.Delete);
        Assert.True(vp8Frames >= 20, $"the VP8 WHEP player decoded {vp8Frames} frames beside the H.264 one");
        Assert.True(vp8Stats.FramesAssembled - vp8Stats.FramesDecoded <= 1 && vp8Stats.DroppedMalformed == 0, // no H.264 bytes reach a VP8 player
            $"VP8 player: {vp8Stats.FramesAssembled} frames assembled, {vp8Stats.FramesDecoded} decoded, {vp8Stats.DroppedMalformed} malformed packets");
        Assert.Equal(200, published.Delete);
        for (var i = 0; i < 50 && host.Sessions.ActiveCount > 0; i++) await Task.Delay(100, ct);
        Assert.Equal(0, host.Sessions.ActiveCount);
    }

    private static void RequireGstreamer()
    {
        using var check = Process.Start(new ProcessStartInfo(Python, ["-c",
            "import gi; gi.require_version('Gst','1.0'); gi.require_version('GstWebRTC','1.0'); from gi.repository import Gst; Gst.init(None); "
            + "import sys; sys.exit(0 if all(Gst.ElementFactory.find(e) for e in ['webrtcbin','openh264enc','openh264dec','rtph264pay','rtph264depay','h264parse','nicesrc']) else 1)"])
        { RedirectStandardError = true, RedirectStandardOutput = true });
        if (check is null || !check.WaitForExit(30_000) || check.ExitCode != 0)
            Prerequisite.Missing("GStreamer webrtcbin with OpenH264 is not installed (apt-get install gstreamer1.0-plugins-bad gstreamer1.0-plugins-good gstreamer1.0-nice gir1.2-gst-plugins-bad-1.0 python3-gst-1.0).");
    }

    private static Process StartScript(RealAppHost host, params string[] args)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Signalling", "Gstreamer", "gst_whip_whep.py");
        var command = host.Network.Inside([Python, script, .. args]);
        var psi = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in command.Skip(1)) psi.ArgumentList.Add(a);
        return Process.Start(psi) ?? throw new InvalidOperationException("python3 did not start");
    }

    /// <summary>Waits for the script (at most 40 s) and reads its JSON line; stderr goes into the failure message.</summary>
    private static async Task<GstRun> FinishAsync(Process script, CancellationToken ct)
    {
        using (script)
        {
            var stdout = script.StandardOutput.ReadToEndAsync(ct);
            var stderr = script.StandardError.ReadToEndAsync(ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(40));
            try { await script.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { script.Kill(entireProcessTree: true); throw; }
            var line = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
            var errors = await stderr;
            Assert.True(line is not null, $"the GStreamer script printed no result (exit {script.ExitCode}): {errors[^Math.Min(errors.Length, 3000)..]}");
            var run = JsonSerializer.Deserialize<GstRun>(line, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            return run.Error is null ? run : run with { Error = run.Error + "\n" + errors[^Math.Min(errors.Length, 3000)..] };
        }
    }
}
