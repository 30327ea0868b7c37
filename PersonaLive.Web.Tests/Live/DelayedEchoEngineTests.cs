using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;
using PersonaLive.Web.Live.Diagnostics;

namespace PersonaLive.Web.Tests.Live;

/// <summary>The echo test engine's delay line: frames come back in order, with their own capture times, once they are old enough.</summary>
public sealed class DelayedEchoEngineTests
{
    [Fact]
    public void Delay_line_returns_each_frame_with_its_capture_time_once_the_delay_has_passed()
    {
        using var engine = new DelayedEchoEngine(TimeSpan.FromMilliseconds(150), chunkSize: 1, outputSize: 8, delayLine: true);

        Assert.Empty(Animate(engine, 1_000));
        Assert.Empty(Animate(engine, 2_000)); // both still younger than the delay
        Thread.Sleep(200);

        var released = Animate(engine, 3_000);
        Assert.Equal([1_000L, 2_000L], released.Select(f => f.CaptureTimeUs));
        Assert.All(released, f => Assert.Equal(8, f.Image.Width));
        foreach (var f in released) f.Image.Dispose();
        Assert.Empty(Animate(engine, 4_000)); // frame 3 000 is still held
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
