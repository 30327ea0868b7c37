using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;
using PersonaLive.Media;
using PersonaLive.Web.Hosting;
using PersonaLive.Web.Live.Benchmarks;
using PersonaLive.Web.Live.Diagnostics;
using PersonaLive.Web.Live.Media.Rtc;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.Web.Tests.Fakes;
using PersonaLive.WebRtc.PeerConnection;

namespace PersonaLive.Web.Tests.Live;

/// <summary>
/// The host's output follows its sender's recommended scale: a peer whose estimate sits below the
/// resolution floor gets smaller pictures (scaled before encoding), and a scale of 1 leaves the picture
/// untouched (no copy).
/// </summary>
public sealed class OutputScaleTests
{
    [Fact]
    public void Half_scale_gives_a_pooled_half_size_picture_with_the_same_content()
    {
        using var frame = I420Frame.Create(256, 192);
        for (var y = 0; y < 192; y++)
            for (var x = 0; x < 256; x++)
                frame.Y[y * 256 + x] = (byte)x;
        frame.U.Fill(100);
        frame.V.Fill(150);

        using var half = OutputScale.Apply(frame, 0.5);
        Assert.NotNull(half);
        Assert.Equal((128, 96), (half.Width, half.Height));
        Assert.InRange(half.Y[10 * half.StrideY + 64], 124, 132); // the middle of the ramp stays in the middle
        Assert.Equal(100, half.U[5 * half.StrideU + 5]);
        Assert.Equal(150, half.V[5 * half.StrideV + 5]);

        using var threeQuarters = OutputScale.Apply(frame, 0.75);
        Assert.Equal((192, 144), (threeQuarters!.Width, threeQuarters.Height));
        Assert.Null(OutputScale.Apply(frame, 1.0));
    }

    [Fact]
    public async Task A_peer_recommending_half_scale_receives_half_size_frames()
    {
        var ct = TestContext.Current.CancellationToken;
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        // Floors far above any estimate: the sender's ladder goes to its lowest level (1/2 size) at the first frame.
        var options = new RtcOptions { MediaPort = 0, BindAddress = "127.0.0.1", FrameRateFloorKbps = 1_000_000, ResolutionFloorKbps = 1_000_000 };
        await using var peers = new RtcMediaPeerFactory(Options.Create(options), NullLoggerFactory.Instance);
        await using var manager = TestSessionManagers.Create(TestSessionManagers.ReadyEcho(() => new DelayedEchoEngine(TimeSpan.Zero, 1, 256)), peers,
            meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), new LimitsOptions { MaxSessions = 1, IdleTimeoutSeconds = 60 });
        var camera = EncodedCameraLoop.Encode(Gradients(320, 240, 10), 30);
        await using var client = await SyntheticLiveClient.ConnectAsync(manager, new PreparedPortrait(new RgbaImage(16, 16), 16), ct);
        var widths = new System.Collections.Concurrent.ConcurrentQueue<(int Width, int Height)>();
        client.Peer.FrameDecoded += (_, decoded) => widths.Enqueue((decoded.Frame.Width, decoded.Frame.Height));

        for (var i = 0; i < 90 && widths.Count < 10; i++)
        {
            client.Send(camera);
            await Task.Delay(33, ct);
        }

        Assert.True(widths.Count >= 5, $"only {widths.Count} output frames were decoded");
        Assert.Equal((128, 128), widths.Last());
    }

    private static List<I420Frame> Gradients(int width, int height, int count)
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
