using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;
using PersonaLive.Media;
using PersonaLive.Web.Hosting;
using PersonaLive.Web.Live.Benchmarks;
using PersonaLive.Web.Live.Diagnostics;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Media.Rtc;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.Web.Tests.Fakes;
using PersonaLive.WebRtc.PeerConnection;

namespace PersonaLive.Web.Tests.Live;

/// <summary>
/// The media path makes (almost) no garbage per frame in steady state: a live session with the echo
/// engine on the real WebRTC stack (loopback UDP, DTLS-SRTP), fed by our own client role with a
/// pre-encoded camera loop, runs receive -> reassemble -> decode -> engine -> I420 -> encode -> send, and
/// the client reassembles and decodes what comes back. Every byte the whole process allocates over the
/// measured frames (both peers, all threads: <see cref="GC.GetTotalAllocatedBytes(bool)"/>) is divided by
/// the frames the session sent; it must stay under 1 KiB per frame. A per-frame picture that is not
/// pooled (hundreds of KiB) or a copy per viewer would fail it at once, and so would a control path
/// that allocates per packet or per feedback: transport-wide congestion-control feedback is written
/// and parsed both ways every 50 ms, RTCP reports are refilled from a pool, arrivals are kept in a
/// ring. Runs alone (other tests would add their allocations).
/// </summary>
[Collection(MemoryMeasurementCollection.Name)]
public sealed class MediaPathAllocationTests
{
    private const int Fps = 30;

    [Fact]
    public async Task Steady_state_allocates_under_one_kibibyte_per_frame()
    {
        var ct = TestContext.Current.CancellationToken;
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        await using var peers = new RtcMediaPeerFactory(Options.Create(new RtcOptions { MediaPort = 0, BindAddress = "127.0.0.1" }), NullLoggerFactory.Instance);
        await using var manager = TestSessionManagers.Create(TestSessionManagers.ReadyEcho(() => new DelayedEchoEngine(TimeSpan.Zero, 1, 256)), peers,
            meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), new LimitsOptions { MaxSessions = 1, IdleTimeoutSeconds = 60 });
        var camera = EncodedCameraLoop.Encode(MovingGradient(320, 240, 30), Fps);
        // The client counts complete output frames without decoding them: its own decoder is not the server's path.
        await using var client = await SyntheticLiveClient.ConnectAsync(manager, new PreparedPortrait(new RgbaImage(16, 16), 16), ct, decodeOutput: false);
        var session = manager.Find(client.SessionId)!;

        Stream(client, camera, 90); // JIT, pools, encoder rate control, first keyframes
        Assert.True(client.FramesReceived > 30, $"only {client.FramesReceived} frames came back during warm-up");
        var sent0 = session.GetStats().FramesSent;
        var bytes0 = GC.GetTotalAllocatedBytes(precise: true);
        Stream(client, camera, 150);
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - bytes0;
        var sent = session.GetStats().FramesSent - sent0;

        Assert.True(sent >= 100, $"the session sent only {sent} of 150 frames");
        var perFrame = (double)bytes / sent;
        TestContext.Current.TestOutputHelper?.WriteLine($"{bytes} bytes over {sent} frames: {perFrame:0} bytes/frame");
        Assert.True(perFrame < 1024, $"{perFrame:0} bytes allocated per frame (limit 1024)");
    }

    /// <summary>Sends <paramref name="frames"/> camera frames at the camera's pace (Thread.Sleep: the loop itself allocates nothing).</summary>
    private static void Stream(SyntheticLiveClient client, EncodedCameraLoop camera, int frames)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < frames; i++)
        {
            client.Send(camera);
            var wait = TimeSpan.FromSeconds((i + 1) / (double)Fps) - clock.Elapsed;
            if (wait > TimeSpan.Zero) Thread.Sleep(wait);
        }
    }

    private static List<I420Frame> MovingGradient(int width, int height, int count)
    {
        var frames = new List<I420Frame>(count);
        for (var n = 0; n < count; n++)
        {
            var f = I420Frame.Create(width, height);
            for (var y = 0; y < height; y++)
                for (var x = 0; x < width; x++)
                    f.Y[y * width + x] = (byte)(16 + (x + y + 4 * n) % 200);
            f.U.Fill(120);
            f.V.Fill(136);
            frames.Add(f);
        }
        return frames;
    }
}
