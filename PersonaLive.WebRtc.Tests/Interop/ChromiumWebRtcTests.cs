using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Tests.Media;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Interop;

/// <summary>
/// Real browser: headless Debian Chromium offers its fake camera (a .y4m this test writes) to our server,
/// which decodes it (asserting the left/right luma the clip has) and sends back solid red frames, which
/// the page decodes (getStats framesDecoded) and samples through a canvas.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class ChromiumWebRtcTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Chromium_sends_camera_to_us_and_decodes_what_we_send_back()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium).");
        }

        VpxTests.SkipWithoutLibvpx();
        var ct = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper!;
        string work = Directory.CreateTempSubdirectory("webrtc-chromium-").FullName;
        string y4m = Path.Combine(work, "camera.y4m");
        Y4mWriter.Write(y4m, 320, 240, 10);

        using var logs = new TestLoggerFactory(Microsoft.Extensions.Logging.LogLevel.Information);
        var options = new RtcOptions { MediaPort = 0, BindAddress = "0.0.0.0" };
        await using var media = new RtcMediaServer(options, logs);
        RtcPeerConnection? pc = null;
        var decoded = new List<(double Left, double Right, int W, int H)>();
        ulong? lastCapture = null;
        ulong lastCaptureSeenAt = 0;
        var result = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sendLoop = new CancellationTokenSource();

        int httpPort = FreeTcpPort();
        using var http = new HttpListener();
        http.Prefixes.Add($"http://127.0.0.1:{httpPort}/");
        http.Start();
        var serveTask = Task.Run(async () =>
        {
            while (http.IsListening)
            {
                HttpListenerContext ctx;
                try
                {
                    ctx = await http.GetContextAsync();
                }
                catch (Exception) when (!http.IsListening)
                {
                    return;
                }
                catch (HttpListenerException)
                {
                    return;
                }

                string body = await new StreamReader(ctx.Request.InputStream).ReadToEndAsync(ct);
                string reply = "";
                switch (ctx.Request.Url!.AbsolutePath)
                {
                    case "/":
                        reply = BrowserPage.Html;
                        ctx.Response.ContentType = "text/html";
                        break;
                    case "/offer":
                        try
                        {
                            pc = media.CreatePeerConnection();
                            pc.FrameDecoded += (_, f) =>
                            {
                                lock (decoded)
                                {
                                    if (f.CaptureNtpTime is ulong capture)
                                    {
                                        lastCapture = capture;
                                        lastCaptureSeenAt = NtpTime.Now();
                                    }

                                    decoded.Add((f.Frame.MeanY(8, 8, f.Frame.Width / 2 - 16, f.Frame.Height - 16),
                                        f.Frame.MeanY(f.Frame.Width / 2 + 8, 8, f.Frame.Width / 2 - 16, f.Frame.Height - 16), f.Frame.Width, f.Frame.Height));
                                }
                            };
                            pc.ConnectionStateChanged += (_, s) =>
                            {
                                if (s == PeerConnectionState.Connected)
                                {
                                    _ = SendRedFrames(pc, sendLoop.Token);
                                }
                            };
                            reply = pc.CreateAnswer(body);
                        }
                        catch (Exception e)
                        {
                            reply = "error: " + e.Message;
                        }

                        break;
                    case "/log":
                        output.WriteLine("page: " + body);
                        break;
                    case "/result":
                        result.TrySetResult(body);
                        break;
                }

                byte[] bytes = Encoding.UTF8.GetBytes(reply);
                ctx.Response.ContentLength64 = bytes.Length;
                await ctx.Response.OutputStream.WriteAsync(bytes, ct);
                ctx.Response.Close();
            }
        }, ct);

        var psi = new ProcessStartInfo(Chromium)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--headless=new", "--no-sandbox", "--disable-gpu",
            "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            $"--use-file-for-fake-video-capture={y4m}",
            "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--disable-dev-shm-usage", $"--user-data-dir={Path.Combine(work, "profile")}",
            $"http://127.0.0.1:{httpPort}/",
        })
        {
            psi.ArgumentList.Add(arg);
        }

        using var browser = Process.Start(psi)!;
        browser.ErrorDataReceived += (_, _) => { };
        browser.OutputDataReceived += (_, _) => { };
        browser.BeginErrorReadLine();
        browser.BeginOutputReadLine();
        string json;
        try
        {
            json = await result.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
        }
        finally
        {
            sendLoop.Cancel();
            try
            {
                browser.Kill(entireProcessTree: true); // by PID, with its children
                await browser.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                // already exited
            }

            http.Stop();
        }

        output.WriteLine("page result: " + json);
        var stats = pc?.GetStats();
        output.WriteLine($"server: {stats}");
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
        // Our RR + REMB (goog-remb) lift Chrome's upload estimate above its 300 kb/s start (webrtc.md 0.5).
        Assert.True(root.GetProperty("availableOutgoingBitrate").GetDouble() >= 1_000_000, "Chrome's upload estimate did not follow our REMB");
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
        // Chromium's SR maps its RTP timestamps to its NTP wall clock: capture times are known and recent.
        Assert.NotNull(lastCapture);
        double ageMs = (NtpTime.ToDateTime(lastCaptureSeenAt) - NtpTime.ToDateTime(lastCapture!.Value)).TotalMilliseconds;
        output.WriteLine($"capture-to-decode age of the last camera frame: {ageMs:F1} ms");
        Assert.InRange(ageMs, -500, 2000);
        Assert.InRange(last.Right, Y4mWriter.RightLuma - 15, Y4mWriter.RightLuma + 15);
        Directory.Delete(work, recursive: true);
    }

    private static async Task SendRedFrames(RtcPeerConnection pc, CancellationToken ct)
    {
        // BT.601 limited-range red: Y 81, U 90, V 240.
        var red = I420Frame.Create(320, 240);
        red.Fill(81, 90, 240);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(33));
        try
        {
            while (await timer.WaitForNextTickAsync(ct) && pc.ConnectionState == PeerConnectionState.Connected)
            {
                pc.SendFrame(red, NtpTime.Now());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static int FreeTcpPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
