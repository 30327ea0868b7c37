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
