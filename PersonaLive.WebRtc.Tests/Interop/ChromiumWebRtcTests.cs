using PersonaLive.TestSupport;
using System.Text.Json;
using PersonaLive.Media;
using PersonaLive.WebRtc.Codecs.Vpx;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Tests.Media;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Interop;

/// <summary>
/// Real browser: headless Debian Chromium offers its fake camera (a .y4m this test writes) to our server,
/// which decodes it (asserting the left/right luma the clip has) and sends back solid red frames, which
/// the page decodes (getStats framesDecoded) and samples through a canvas. A second test is a receive-only
/// viewer fed from one shared encoder.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class ChromiumWebRtcTests
{
    internal static void SkipWithoutChromium()
    {
        if (!File.Exists(BrowserHarness.Chromium))
        {
            Prerequisite.Missing("Chromium is not installed at /usr/bin/chromium (apt-get install chromium).");
        }

        VpxTests.SkipWithoutLibvpx();
    }

    internal static string WriteClip(string work)
    {
        string y4m = Path.Combine(work, "camera.y4m");
        Y4mWriter.Write(y4m, 320, 240, 10);
        return y4m;
    }

    [Fact]
    public async Task Chromium_sends_camera_to_us_and_decodes_what_we_send_back()
    {
        SkipWithoutChromium();
        var ct = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper!;
        string work = Directory.CreateTempSubdirectory("webrtc-chromium-").FullName;
        using var logs = new TestLoggerFactory(Microsoft.Extensions.Logging.LogLevel.Information);
        using var network = BrowserHarness.RequireNetwork();
        await using var media = new RtcMediaServer(new RtcOptions { MediaPort = 0, BindAddress = network.HostAddress.ToString() }, logs);
        RtcPeerConnection? pc = null;
        var decoded = new List<(double Left, double Right, int W, int H)>();
        ulong? lastCapture = null;
        ulong lastCaptureSeenAt = 0;
        using var sendLoop = new CancellationTokenSource();
        string json;
        try
        {
            json = await BrowserHarness.RunAsync(network, "camera", WriteClip(work), offer =>
            {
                pc = media.CreatePeerConnection();
                pc.FrameDecoded += (_, f) =>
                {
                    lock (decoded)
                    {
                        if (f.CaptureTimeUs is long capture)
                        {
                            lastCapture = NtpTime.FromUnixMicros(capture);
                            lastCaptureSeenAt = NtpTime.Now();
                        }

                        decoded.Add((f.Frame.MeanY(8, 8, f.Frame.Width / 2 - 16, f.Frame.Height - 16),
                            f.Frame.MeanY(f.Frame.Width / 2 + 8, 8, f.Frame.Width / 2 - 16, f.Frame.Height - 16), f.Frame.Width, f.Frame.Height));
                    }
                };
                var self = pc;
                pc.ConnectionStateChanged += (_, s) =>
                {
                    if (s == PeerConnectionState.Connected)
                    {
                        _ = SendSolidFrames(self, 81, 90, 240, sendLoop.Token); // BT.601 red
                    }
                };
                return pc.CreateAnswer(offer);
            }, output, ct);
        }
        finally
        {
            sendLoop.Cancel();
        }

        output.WriteLine("page result: " + json);
        output.WriteLine($"server: {pc?.GetStats()}");
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.False(root.TryGetProperty("error", out var error), error.ToString());
        Assert.Equal("connected", root.GetProperty("connectionState").GetString());
        Assert.Equal("connected", root.GetProperty("dtlsState").GetString());
        Assert.Equal("SRTP_AEAD_AES_128_GCM", root.GetProperty("srtpCipher").GetString());
        Assert.Equal("FEFD", root.GetProperty("tlsVersion").GetString()); // DTLS 1.2
        Assert.StartsWith("persona-", root.GetProperty("remoteStreamId").GetString(), StringComparison.Ordinal); // our a=msid
        Assert.True(root.GetProperty("framesDecoded").GetInt32() > 30, "browser decoded too few of our frames");
        Assert.Equal(320, root.GetProperty("frameWidth").GetInt32());
        // With transport-cc Chrome's upload estimate is its own (REMB only caps it); the static clip keeps it
        // application-limited near the 300 kb/s start, and our feedback must never make it back off (docs/webrtc.md, upload rate).
        Assert.True(root.GetProperty("availableOutgoingBitrate").GetDouble() >= 290_000, "Chrome's upload estimate fell under our transport-cc feedback");
        // Chromium took the RFC 8285 extensions of our answer: its packets carry transport-wide sequence
        // numbers (we report their arrival) and it reports ours in transport-cc feedback, which parses and matches.
        var serverStats = pc!.GetStats();
        Assert.True(serverStats.TransportFeedbackSent > 10, $"we sent {serverStats.TransportFeedbackSent} transport-cc feedbacks");
        Assert.True(serverStats.TransportFeedbackReceived > 10, $"Chromium sent {serverStats.TransportFeedbackReceived} transport-cc feedbacks");
        Assert.InRange(serverStats.TransportCcPacketsReported, serverStats.PacketsSent * 8 / 10, serverStats.PacketsSent);
        var pixel = root.GetProperty("pixel").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.True(pixel[0] > 180 && pixel[1] < 80 && pixel[2] < 80, $"expected red, canvas pixel was {string.Join(",", pixel)}");

        List<(double Left, double Right, int W, int H)> frames;
        lock (decoded)
        {
            frames = decoded.ToList();
        }

        Assert.True(frames.Count > 30, $"server decoded only {frames.Count} camera frames");
        var last = frames[^1];
        output.WriteLine($"server decoded {frames.Count} frames, last {last.W}x{last.H}, left luma {last.Left:F1}, right luma {last.Right:F1}");
        Assert.InRange(last.Left, Y4mWriter.LeftLuma - 15, Y4mWriter.LeftLuma + 15);
        Assert.InRange(last.Right, Y4mWriter.RightLuma - 15, Y4mWriter.RightLuma + 15);
        // Chromium's SR maps its RTP timestamps to its NTP wall clock: capture times are known and recent.
        Assert.NotNull(lastCapture);
        double ageMs = (NtpTime.ToDateTime(lastCaptureSeenAt) - NtpTime.ToDateTime(lastCapture!.Value)).TotalMilliseconds;
        output.WriteLine($"capture-to-decode age of the last camera frame: {ageMs:F1} ms");
        Assert.InRange(ageMs, -500, 2000);
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public async Task Chromium_viewer_decodes_frames_from_a_shared_encoder()
    {
        SkipWithoutChromium();
        var ct = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper!;
        string work = Directory.CreateTempSubdirectory("webrtc-chromium-").FullName;
        using var logs = new TestLoggerFactory();
        using var network = BrowserHarness.RequireNetwork();
        await using var media = new RtcMediaServer(new RtcOptions { MediaPort = 0, BindAddress = network.HostAddress.ToString() }, logs);
        using var encoder = new VpxEncoder(new VpxEncoderOptions { Width = 320, Height = 240, BitrateKbps = 500 });
        RtcPeerConnection? viewer = null;
        bool forceKeyframe = false;
        using var broadcast = new CancellationTokenSource();
        var green = I420Frame.Create(320, 240);
        green.Fill(145, 54, 34); // BT.601 green
        var loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(33));
            try
            {
                while (await timer.WaitForNextTickAsync(broadcast.Token))
                {
                    ulong now = NtpTime.Now();
                    bool key = forceKeyframe;
                    forceKeyframe = false;
                    foreach (var e in encoder.Encode(green, (long)NtpTime.To90kHz(now), key))
                    {
                        viewer?.SendEncodedFrame(e, now); // encode once; every viewer gets the same packets' payload
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, ct);
        string json;
        try
        {
            json = await BrowserHarness.RunAsync(network, "viewer", WriteClip(work), offer =>
            {
                var pc = media.CreatePeerConnection();
                pc.KeyframeRequested += (_, _) => forceKeyframe = true;
                string answer = pc.CreateAnswer(offer);
                viewer = pc;
                return answer;
            }, output, ct);
        }
        finally
        {
            broadcast.Cancel();
            await loop;
        }

        output.WriteLine("page result: " + json);
        Assert.Equal("sendonly", viewer!.Transceiver!.Direction);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.False(root.TryGetProperty("error", out var error), error.ToString());
        Assert.True(root.GetProperty("framesDecoded").GetInt32() > 30);
        var pixel = root.GetProperty("pixel").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.True(pixel[1] > 180 && pixel[0] < 80 && pixel[2] < 80, $"expected green, canvas pixel was {string.Join(",", pixel)}");
        Assert.True(viewer.GetStats().FramesSent > 30);
        Directory.Delete(work, recursive: true);
    }

    internal static async Task SendSolidFrames(RtcPeerConnection pc, byte y, byte u, byte v, CancellationToken ct)
    {
        var frame = I420Frame.Create(320, 240);
        frame.Fill(y, u, v);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(33));
        try
        {
            while (await timer.WaitForNextTickAsync(ct) && pc.ConnectionState == PeerConnectionState.Connected)
            {
                pc.SendFrame(frame, NtpTime.Now());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
