using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PersonaLive.Media;
using PersonaLive.Web.Live.Benchmarks;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.Web.Live.Signalling;
using PersonaLive.Web.Tests.Fakes;
using PersonaLive.Web.Tests.Signalling;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Sdp;

namespace PersonaLive.Web.Tests.Live.Voice;

/// <summary>
/// Lips and voice arrive together: a synthetic publisher (our client, host of a live session) sends, once a
/// second at one capture instant, a white flash frame and a tone burst (Opus packets we recognise by their
/// bytes: voice is passed through undecoded); a WHEP viewer on the share link notes the wall-clock arrival of
/// the flash's animated frame (found by the capture time the output carries, RTCP SR mapping; with the echo
/// engine also by its brightness) and of the burst's first packet. The median skew must stay within 60 ms,
/// for the lite engine and for the echo engine with a pipeline delay of 5 frames (200 ms at 25 fps: the
/// voice must wait as long as the face).
/// </summary>
[Collection(nameof(SyntheticLiveClientTests))]
public sealed class AvSyncVoiceTests
{
    private const int FlashFrames = 5;
    private static readonly byte[] Silence = [0xF8, 0xFF, 0xFE];

    [Theory]
    [InlineData("lite")]
    [InlineData("echo-5-frames")]
    public async Task A_flash_and_a_tone_burst_sent_together_reach_a_whep_viewer_within_60_ms(string engine)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = engine == "lite" ? RealStackApp.Start() : RealStackApp.Start(("Live:EchoEngineDelayMs", "0"), ("Live:EchoEngineDelayFrames", "5"));
        var sessions = app.Services.GetRequiredService<LiveSessionManager>();
        var (portrait, png) = await RealStackApp.AdaPortraitAsync(app, ct);
        var camera = SyntheticLiveClient.CameraLoop(png, 160, 120, 25).ToList();
        var flash = I420Frame.Create(160, 120);
        flash.Y.Fill(235);
        flash.U.Fill(128);
        flash.V.Fill(128);
        for (int i = 0; i < FlashFrames; i++) camera[i] = flash; // positions 0-4 of the loop (0 a keyframe): a 200 ms flash, so a starved engine still takes one
        var loop = EncodedCameraLoop.Encode(camera, fps: 25); // pre-encoded: the publisher spends no time encoding
        await using var client = await SyntheticLiveClient.ConnectAsync(sessions, portrait, ct, decodeOutput: false, voice: true);

        var share = sessions.Share(client.SessionId);
        await using var viewer = new SignallingTestPeer();
        var frames = new ConcurrentQueue<(long At, long? CaptureUs, int Luma)>();
        var packets = new ConcurrentQueue<(long At, byte[] Payload)>();
        viewer.Peer.FrameDecoded += (_, f) => frames.Enqueue((Stopwatch.GetTimestamp(), f.CaptureTimeUs, f.Frame.Y[(f.Frame.Height / 2 * f.Frame.StrideY) + (f.Frame.Width / 2)]));
        viewer.Peer.AudioReceived += (_, p) => packets.Enqueue((Stopwatch.GetTimestamp(), p.Payload));
        using (var http = app.CreateClient())
        using (var content = new StringContent(viewer.Peer.CreateOffer("recvonly", VideoCodec.Vp8, audioDirection: "recvonly")))
        {
            content.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
            using var answer = await http.PostAsync(WhepEndpoints.EndpointFor(share.Token), content, ct);
            Assert.Equal(System.Net.HttpStatusCode.Created, answer.StatusCode);
            viewer.Peer.SetAnswer(await answer.Content.ReadAsStringAsync(ct));
        }

        await viewer.Connected.WaitAsync(TimeSpan.FromSeconds(20), ct);
        const int Ticks = 25 * 11, FirstFlash = 75; // 25 fps for 11 s: warm-up (latency measured), then a flash + burst every second
        var captureUs = new long[Ticks];
        uint audioTs = 0;
        ushort seq = 0;
        var clock = Stopwatch.StartNew();
        for (int tick = 0; tick < Ticks; tick++)
        {
            bool flashing = tick >= FirstFlash && tick % 25 < FlashFrames;
            var ntp = NtpTime.Now();
            captureUs[tick] = NtpTime.ToUnixMicros(ntp);
            foreach (var frame in loop.At(tick >= FirstFlash ? tick % 25 : FlashFrames + (tick % (25 - FlashFrames)))) client.Peer.SendEncodedFrame(frame, ntp);
            for (int k = 0; k < 2; k++) // two 20 ms packets per 40 ms frame; the tone's packets name their frame
            {
                byte[] payload = flashing ? [.. Silence, 0x7E, (byte)k, (byte)tick, (byte)(tick >> 8)] : Silence;
                client.Peer.SendAudio(new AudioPacket(payload, audioTs, seq++, false, ntp + (ulong)(k * 20 * 4294967.296), 0));
                audioTs += 960;
            }

            var wait = TimeSpan.FromMilliseconds(40 * (tick + 1)) - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
        }

        await Task.Delay(1500, ct); // the last flash's frame and burst arrive
        // Per flash: the first of its frames to arrive, against the tone packet captured at that frame's instant.
        var skews = new List<double>();
        var notes = new List<string>();
        for (int second = FirstFlash / 25; second < Ticks / 25; second++)
        {
            int[] flashTicks = [.. Enumerable.Range(25 * second, FlashFrames)];
            // The echo engines pass the flash through: its first frame that arrived white (a viewer encoder that
            // starts low on bitrate may bring the first flash frame as a grey step); the tone packet of that
            // same frame's capture instant is the partner, so the pairing is exact whichever flash frame it is.
            var video = frames.Select(f => (f.At, f.Luma, Tick: flashTicks.FirstOrDefault(t => f.CaptureUs is { } c && Math.Abs(c - captureUs[t]) < 15_000, -1)))
                .FirstOrDefault(f => f.Tick >= 0 && (engine == "lite" || f.Luma > 200), (At: 0L, Luma: 0, Tick: -1));
            if (video.Tick < 0)
            {
                notes.Add($"flash {second}: no frame");
                continue;
            }

            var audio = packets.FirstOrDefault(p => p.Payload.Length == 7 && p.Payload[4] == 0 && (p.Payload[5] | (p.Payload[6] << 8)) == video.Tick);
            if (audio.Payload is null)
            {
                notes.Add($"flash {second}: no tone packet for frame {video.Tick} (tones: {string.Join(",", packets.Where(p => p.Payload.Length == 7).Select(p => $"{p.Payload[4]}/{p.Payload[5] | (p.Payload[6] << 8)}"))})");
                continue;
            }

            skews.Add(Stopwatch.GetElapsedTime(audio.At, video.At).TotalMilliseconds);
        }

        var session = sessions.Find(client.SessionId)!;
        string report = $"{engine}: skews (video - audio, ms) [{string.Join(", ", skews.Select(s => s.ToString("0")))}], voice delay {session.VoiceDelay.TotalMilliseconds:0} ms, "
            + $"{frames.Count} frames and {packets.Count} packets at the viewer; {string.Join("; ", notes)}";
        TestContext.Current.TestOutputHelper?.WriteLine(report);
        Assert.True(skews.Count >= 2, $"too few flash/burst pairs arrived: {report}");
        skews.Sort();
        Assert.True(Math.Abs(skews[skews.Count / 2]) <= 60, $"median skew over 60 ms: {report}");
    }
}
