namespace PersonaLive.Inference.Tests.Diffusion;

/// <summary>
/// The personalive engine's outputs carry the capture times of the frames that drove them, 12 inputs back,
/// and a new portrait restarts the window with a fresh warm-up.
/// </summary>
public sealed class PipelineDelayTests
{
    [Fact]
    public void A_new_portrait_restarts_the_delay_from_the_next_input()
    {
        using var tiny = new TinyEngine();
        using var engine = tiny.Create();
        Assert.Equal(12, ((PersonaLive.Inference.Engines.IAnimationEngine)engine).PipelineDelayFrames);
        engine.SetPortrait(TinyEngine.Portrait());
        var stamps = new List<(long Capture, bool WarmUp)>();
        void Run(int call)
        {
            var chunk = TinyEngine.Chunk(TinyEngine.Moving, call);
            foreach (var f in engine.Animate(chunk)) { stamps.Add((f.CaptureTimeUs, f.WarmUp)); f.Image.Dispose(); }
            foreach (var f in chunk) f.Image.Dispose();
        }
        for (var call = 0; call < 5; call++) Run(call);
        Assert.Equal(Enumerable.Range(0, 8).Select(n => (n * 33_333L, false)), stamps.Skip(12));

        stamps.Clear();
        engine.SetPortrait(TinyEngine.Portrait(90));
        for (var call = 5; call < 9; call++) Run(call);
        // Inputs 12..19 entered the old window and never leave it; the new one warms up on input 20.
        Assert.All(stamps.Take(12), s => Assert.Equal((20 * 33_333L, true), s));
        Assert.Equal(Enumerable.Range(20, 4).Select(n => (n * 33_333L, false)), stamps.Skip(12));
    }
}
