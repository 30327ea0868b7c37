using PersonaLive.Media;
using System.Diagnostics;
using System.Text;
using PersonaLive.TestSupport;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Tests.Media;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Interop;

/// <summary>
/// H.264 against software nobody here wrote: GStreamer's webrtcbin (Debian gstreamer1.0-plugins-bad,
/// gstreamer1.0-nice) publishing with <c>openh264enc</c> + <c>rtph264pay</c> to our server, and playing
/// our H.264 through <c>rtph264depay</c> + <c>openh264dec</c>. Signalling is a line over the script's
/// stdin/stdout (Interop/Scripts/gst_h264_peer.py); the script runs in a test network namespace whose
/// only link leads to our server (libnice gathers no loopback candidates).
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class GstreamerH264Tests
{
    private const string Python = "/usr/bin/python3";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static void SkipWithoutGstreamer()
    {
        H264CodecTests.SkipWithoutOpenH264();
        var check = Process.Start(new ProcessStartInfo(Python, ["-c",
            "import gi; gi.require_version('Gst','1.0'); gi.require_version('GstWebRTC','1.0'); from gi.repository import Gst; Gst.init(None); "
            + "import sys; sys.exit(0 if all(Gst.ElementFactory.find(e) for e in ['webrtcbin','openh264enc','openh264dec','rtph264pay','rtph264depay','h264parse','nicesrc']) else 1)"])
        { RedirectStandardError = true, RedirectStandardOutput = true });
        bool ok = check is not null && check.WaitForExit(30_000) && check.ExitCode == 0;
        check?.Dispose();
        if (!ok)
        {
            Prerequisite.Missing("GStreamer webrtcbin with OpenH264 is not installed (apt-get install gstreamer1.0-plugins-bad gstreamer1.0-plugins-good gstreamer1.0-nice gir1.2-gst-plugins-bad-1.0 python3-gst-1.0).");
        }
    }

    /// <summary>Starts the script; its stderr (GStreamer warnings) is kept in <paramref name="errors"/> for failure messages.</summary>
    private static Process StartPeer(TestNetwork network, string mode, StringBuilder errors)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "Interop", "Scripts", "gst_h264_peer.py");
        var command = network.Inside(Python, script, mode);
        var peer = Process.Start(new ProcessStartInfo(command[0], command.Skip(1))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["GST_DEBUG"] = Environment.GetEnvironmentVariable("PERSONA_GST_DEBUG") ?? "" }, // e.g. nice:4,webrtcbin:4
        }) ?? throw new InvalidOperationException("python3 did not start");
        peer.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                if (e.Data is not null && errors.Length < 20_000)
                {
                    errors.AppendLine(e.Data);
                }
            }
        };
        peer.BeginErrorReadLine();
        return peer;
    }

    private static async Task<string> ReadOffer(Process peer, CancellationToken ct)
    {
        while (await peer.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(Timeout, ct) is { } line)
        {
            if (line.StartsWith("OFFER ", StringComparison.Ordinal))
            {
                return Encoding.UTF8.GetString(Convert.FromBase64String(line[6..]));
            }
        }

        throw new InvalidOperationException("GStreamer ended without an offer.");
    }

    private static async Task SendAnswer(Process peer, string answer)
    {
        await peer.StandardInput.WriteLineAsync("ANSWER " + Convert.ToBase64String(Encoding.UTF8.GetBytes(answer)));
        await peer.StandardInput.FlushAsync();
    }

    private static void Stop(Process peer)
    {
        try
        {
            peer.StandardInput.Close();
            if (!peer.WaitForExit(3000))
            {
                peer.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    [Fact]
    public async Task Gstreamer_openh264_publisher_is_answered_with_h264_and_decoded_here()
    {
        SkipWithoutGstreamer();
        var ct = TestContext.Current.CancellationToken;
        using var logs = new TestLoggerFactory();
        using var network = BrowserHarness.RequireNetwork();
        await using var media = new RtcMediaServer(new RtcOptions { MediaPort = 0, BindAddress = network.HostAddress.ToString() }, logs);
        await using var pc = media.CreatePeerConnection();
        int decoded = 0;
        var last = new TaskCompletionSource<I420Frame>(TaskCreationOptions.RunContinuationsAsynchronously);
        pc.FrameDecoded += (_, f) =>
        {
            if (Interlocked.Increment(ref decoded) == 15)
            {
                last.TrySetResult(f.Frame.Retain()); // pooled: valid during the event unless retained
            }
        };
        var errors = new StringBuilder();
        using var peer = StartPeer(network, "publish", errors);
        try
        {
            string offer = await ReadOffer(peer, ct);
            Assert.DoesNotContain("VP8", offer, StringComparison.Ordinal);
            string answer = pc.CreateAnswer(offer);
            Assert.Contains("a=rtpmap:102 H264/90000", answer, StringComparison.Ordinal);
            Assert.Contains("a=recvonly", answer, StringComparison.Ordinal);
            await SendAnswer(peer, answer);
            using var frame = await last.Task.WaitAsync(Timeout, ct);
            Assert.Equal((320, 240), (frame.Width, frame.Height));
            Assert.InRange(frame.MeanY(), 90, 108); // RGB grey 0x60 in limited-range BT.601 luma: about 99
            Assert.Equal(0, pc.GetStats().DroppedMalformed);
        }
        catch (TimeoutException)
        {
            Stop(peer);
            Assert.Fail($"GStreamer peer timed out; state {pc.ConnectionState}; its log:\n{errors}");
        }
        finally
        {
            Stop(peer);
        }
    }

    [Fact]
    public async Task Our_h264_is_decoded_by_gstreamer_openh264dec()
    {
        SkipWithoutGstreamer();
        var ct = TestContext.Current.CancellationToken;
        using var logs = new TestLoggerFactory();
        using var network = BrowserHarness.RequireNetwork();
        await using var media = new RtcMediaServer(new RtcOptions { MediaPort = 0, BindAddress = network.HostAddress.ToString() }, logs);
        await using var pc = media.CreatePeerConnection();
        var errors = new StringBuilder();
        using var peer = StartPeer(network, "view", errors);
        try
        {
            string offer = await ReadOffer(peer, ct);
            string answer = pc.CreateAnswer(offer);
            Assert.Contains("H264/90000", answer, StringComparison.Ordinal);
            Assert.Contains("a=sendonly", answer, StringComparison.Ordinal);
            await SendAnswer(peer, answer);

            using var sending = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var sender = Task.Run(async () =>
            {
                var picture = I420Frame.Create(320, 240);
                picture.Fill(150, 100, 160);
                while (!sending.IsCancellationRequested)
                {
                    pc.SendFrame(picture, NtpTime.Now());
                    await Task.Delay(33, CancellationToken.None);
                }
            }, CancellationToken.None);

            var frames = new List<string>();
            while (frames.Count < 10 && await peer.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(Timeout, ct) is { } line)
            {
                if (line.StartsWith("FRAME ", StringComparison.Ordinal))
                {
                    frames.Add(line);
                }
            }

            await sending.CancelAsync();
            await sender;
            Assert.Equal(10, frames.Count);
            var fields = frames[^1].Split(' ');
            Assert.Equal(("320", "240"), (fields[1], fields[2]));
            Assert.InRange(double.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture), 145, 155);
        }
        catch (TimeoutException)
        {
            Stop(peer);
            Assert.Fail($"GStreamer peer timed out; state {pc.ConnectionState}; its log:\n{errors}");
        }
        finally
        {
            Stop(peer);
        }
    }
}
