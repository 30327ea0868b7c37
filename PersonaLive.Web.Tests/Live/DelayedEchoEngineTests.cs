using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;
using PersonaLive.Web.Live.Diagnostics;

namespace PersonaLive.Web.Tests.Live;

/// <summary>
/// The echo test engine keeps the engine contract: one output per input, each with the capture time of the
/// input it echoes, delayed by whole frames like a pipeline.
/// </summary>
public sealed class DelayedEchoEngineTests
{
    [Fact]
    public void Frame_delay_echoes_the_input_that_many_frames_back_with_its_capture_time()
    {
        using var engine = new DelayedEchoEngine(TimeSpan.Zero, chunkSize: 2, outputSize: 8, delayFrames: 3);
        Assert.Equal(3, ((IAnimationEngine)engine).PipelineDelayFrames);
        var outputs = new List<(long Capture, bool WarmUp, byte Luma)>();
        for (var call = 0; call < 4; call++)
        {
            var chunk = new[] { Frame(call * 2), Frame(call * 2 + 1) };
            var animated = engine.Animate(chunk);
            Assert.Equal(2, animated.Count); // one output per input, warm-up included
            foreach (var f in animated)
            {
                Assert.Equal(8, f.Image.Width);
                outputs.Add((f.CaptureTimeUs, f.WarmUp, f.Image.Pixels[0]));
                f.Image.Dispose();
            }
            foreach (var d in chunk) d.Image.Dispose();
        }
        // The first 3 outputs are the warm-up (the first input echoed); output n then echoes input n - 3.
        Assert.Equal([(1_000L, true, (byte)10), (1_000L, true, (byte)10), (1_000L, true, (byte)10),
            (1_000L, false, (byte)10), (2_000L, false, (byte)20), (3_000L, false, (byte)30), (4_000L, false, (byte)40), (5_000L, false, (byte)50)], outputs);
    }

    [Fact]
    public void Planar_frame_delay_echoes_the_scaled_input_that_many_frames_back_and_leaves_the_inputs_alone()
    {
        using var engine = new DelayedEchoEngine(TimeSpan.Zero, chunkSize: 2, outputSize: 8, delayFrames: 3);
        var outputs = new List<(long Capture, bool WarmUp, byte Luma, byte U)>();
        for (var call = 0; call < 4; call++)
        {
            using var a = Picture(call * 2);
            using var b = Picture(call * 2 + 1);
            var animated = engine.AnimatePlanar([new PlanarDrivingFrame(a, (call * 2 + 1) * 1000L), new PlanarDrivingFrame(b, (call * 2 + 2) * 1000L)]);
            Assert.Equal(2, animated.Count);
            foreach (var f in animated)
            {
                Assert.Equal((8, 8), (f.Image.Width, f.Image.Height));
                Assert.All(f.Image.Y.ToArray(), y => Assert.Equal(f.Image.Y[0], y)); // a flat picture stays flat when scaled
                outputs.Add((f.CaptureTimeUs, f.WarmUp, f.Image.Y[0], f.Image.U[0]));
                f.Image.Dispose();
            }
            Assert.Equal((byte)(10 * (call * 2 + 1)), a.Y[0]); // the caller's pictures are read, not written or freed
        }
        Assert.Equal([(1_000L, true, (byte)10, (byte)100), (1_000L, true, (byte)10, (byte)100), (1_000L, true, (byte)10, (byte)100),
            (1_000L, false, (byte)10, (byte)100), (2_000L, false, (byte)20, (byte)101), (3_000L, false, (byte)30, (byte)102),
            (4_000L, false, (byte)40, (byte)103), (5_000L, false, (byte)50, (byte)104)], outputs);
    }

    /// <summary>Input n as a 20x14 I420 picture: luma 10 (n + 1), U 100 + n, V 200.</summary>
    private static PersonaLive.Media.I420Frame Picture(int n)
    {
        var f = PersonaLive.Media.I420Frame.Rent(20, 14);
        f.Fill((byte)(10 * (n + 1)), (byte)(100 + n), 200);
        return f;
    }

    [Fact]
    public void A_new_portrait_restarts_the_warm_up()
    {
        using var engine = new DelayedEchoEngine(TimeSpan.Zero, chunkSize: 1, outputSize: 8, delayFrames: 1);
        engine.SetPortrait(new PreparedPortrait(new RgbaImage(8, 8), 8));
        Assert.True(Single(engine, 0).WarmUp);
        Assert.Equal(1_000L, Single(engine, 1).CaptureTimeUs);
        engine.SetPortrait(new PreparedPortrait(new RgbaImage(8, 8), 8));
        var first = Single(engine, 2);
        Assert.Equal((3_000L, true), (first.CaptureTimeUs, first.WarmUp));
        var next = Single(engine, 3);
        Assert.Equal((3_000L, false), (next.CaptureTimeUs, next.WarmUp));
    }

    private static AnimatedFrame Single(DelayedEchoEngine engine, int n)
    {
        var input = Frame(n);
        var only = Assert.Single(engine.Animate([input]));
        input.Image.Dispose();
        only.Image.Dispose();
        return only;
    }

    /// <summary>Input n: capture time (n + 1) ms, every pixel byte 10 (n + 1).</summary>
    private static DrivingFrame Frame(int n)
    {
        var image = new RgbaImage(16, 16);
        image.Pixels.Fill((byte)(10 * (n + 1)));
        return new DrivingFrame(image, 1_000L * (n + 1));
    }

    [Fact]
    public void Blocking_mode_returns_the_chunk_at_once_after_the_delay()
    {
        using var engine = new DelayedEchoEngine(TimeSpan.FromMilliseconds(50), chunkSize: 1, outputSize: 8);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var frames = Animate(engine, 7_000);
        Assert.True(started.ElapsedMilliseconds >= 45, $"returned after {started.ElapsedMilliseconds} ms");
        Assert.Equal(7_000L, Assert.Single(frames).CaptureTimeUs);
        frames[0].Image.Dispose();
    }

    private static IReadOnlyList<AnimatedFrame> Animate(DelayedEchoEngine engine, long captureTimeUs)
    {
        using var image = new RgbaImage(16, 16);
        return engine.Animate([new DrivingFrame(image, captureTimeUs)]);
    }
}
