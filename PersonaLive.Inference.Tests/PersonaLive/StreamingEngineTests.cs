using PersonaLive.Inference.Diffusion;
using PersonaLive.Inference.Diffusion.Runtime;
using PersonaLive.Inference.Diffusion.Tiny;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Tests.Diffusion;

/// <summary>The streaming state machine on the tiny model set (CPU): bookkeeping, keyframes, reset, seeds.</summary>
public sealed class StreamingEngineTests
{
    private const int Lat = TinyModelSet.Latent * TinyModelSet.Latent;

    private sealed record Trace(float[] SampleIn, float[] PoseIn, float[] MotionIn, long[][] Shapes, float[] NewNoise, float[] Crops,
        float[] LatentsOut, float[] PoseOut, float[] MotionStateOut, float[] MotionOut, object InputValue, object OutputValue);

    private static List<Trace> Record(PersonaLiveEngine engine)
    {
        var traces = new List<Trace>();
        float[]? sIn = null, pIn = null, mIn = null, noise = null, crops = null;
        long[][]? shapes = null;
        object? inValue = null;
        engine.OnFusedRun = (e, after) =>
        {
            var f = e.Fused;
            if (!after)
            {
                sIn = FusedStepRunner.ToHost(f.NextInput(0));
                pIn = FusedStepRunner.ToHost(f.NextInput(1));
                mIn = FusedStepRunner.ToHost(f.NextInput(2));
                shapes = [.. Enumerable.Range(0, 3).Select(i => f.NextInput(i).GetTensorTypeAndShape().Shape)];
                noise = (float[])f.NewNoise.Data.Clone();
                crops = (float[])f.Motion.Data.Clone();
                inValue = f.NextInput(0);
                return;
            }
            traces.Add(new Trace(sIn!, pIn!, mIn!, shapes!, noise!, crops!, FusedStepRunner.ToHost(f.LastOutput(0)), FusedStepRunner.ToHost(f.LastOutput(1)),
                FusedStepRunner.ToHost(f.LastOutput(2)), (float[])f.MotionOut.Data.Clone(), inValue!, f.LastOutput(0)));
        };
        return traces;
    }

    /// <summary>The tiny motion encoder recomputed in C#: channel mean, 2:1 pooled across, (1,3,4,32,32) -> (4,32,16).</summary>
    private static float[] EncodeMotion(float[] crops, int frame)
    {
        const int s = TinyModelSet.CropSize;
        var m = new float[TinyModelSet.MotionRows * TinyModelSet.MotionCols];
        for (var y = 0; y < s; y++)
            for (var x = 0; x < TinyModelSet.MotionCols; x++)
            {
                float sum = 0;
                for (var c = 0; c < 3; c++)
                    for (var dx = 0; dx < 2; dx++) sum += crops[((c * 4 + frame) * s + y) * s + 2 * x + dx];
                m[y * TinyModelSet.MotionCols + x] = sum / 6;
            }
        return m;
    }

    private static void Dispose(IReadOnlyList<AnimatedFrame> frames)
    {
        foreach (var f in frames) f.Image.Dispose();
    }

    [Fact]
    public void CarriedStateIsExactlyTheModelsOutputsOverAHundredChunks()
    {
        using var tiny = new TinyEngine();
        using var engine = tiny.Create();
        Assert.Equal((4, 64, "personalive"), (engine.ChunkSize, engine.OutputSize, engine.Name));
        engine.SetPortrait(TinyEngine.Portrait());
        var traces = Record(engine);
        const int calls = 110;
        for (var k = 0; k < calls; k++)
        {
            var chunk = TinyEngine.Chunk(TinyEngine.Moving, k);
            var output = engine.Animate(chunk);
            Assert.Equal(4, output.Count);
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal((64, 64), (output[i].Image.Width, output[i].Image.Height));
                // Output n was driven by input n - 12; the first 12 are the warm-up, stamped with input 0's time.
                var n = k * 4 + i;
                Assert.Equal(n < 12 ? 0 : (n - 12) * 33_333L, output[i].CaptureTimeUs);
                Assert.Equal(n < 12, output[i].WarmUp);
            }
            Dispose(output);
            foreach (var f in chunk) f.Image.Dispose();
        }
        Assert.Equal(calls, traces.Count);
        Assert.Equal(calls, engine.Calls);
        const int mv = TinyModelSet.MotionRows * TinyModelSet.MotionCols;
        for (var k = 0; k < calls; k++)
        {
            var t = traces[k];
            Assert.Equal([1L, 4, 16, 8, 8], t.Shapes[0]);
            Assert.Equal([1L, TinyModelSet.PoseChannels, 12, 8, 8], t.Shapes[1]);
            Assert.Equal([1L, 12, 32, 16], t.Shapes[2]);
            // latents = DDIM-stepped frames 4..15 ++ new_noise: the tail is exactly this call's new noise.
            for (var c = 0; c < 4; c++)
                Assert.Equal(t.NewNoise.AsSpan(c * 4 * Lat, 4 * Lat).ToArray(), t.LatentsOut.AsSpan((c * 16 + 12) * Lat, 4 * Lat).ToArray());
            // Carried motion: frames 0..7 are the input's 4..11, frames 8..11 the motion encoder on this call's crops.
            Assert.Equal(t.MotionIn.AsSpan(4 * mv, 8 * mv).ToArray(), t.MotionStateOut.AsSpan(0, 8 * mv).ToArray());
            for (var f = 0; f < 4; f++)
            {
                var expected = EncodeMotion(t.Crops, f);
                var actual = t.MotionStateOut.AsSpan((8 + f) * mv, mv);
                for (var i = 0; i < mv; i++) Assert.Equal(expected[i], actual[i], 1e-5);
            }
            Assert.Equal(t.MotionIn.AsSpan(0, mv).ToArray(), t.MotionOut); // motion_out = window frame 0
            for (var c = 0; c < TinyModelSet.PoseChannels; c++) // carried pose features shift by 4 frames
                Assert.Equal(t.PoseIn.AsSpan((c * 12 + 4) * Lat, 8 * Lat).ToArray(), t.PoseOut.AsSpan(c * 12 * Lat, 8 * Lat).ToArray());
            if (k == 0) continue;
            var prev = traces[k - 1];
            // The next call reads exactly what the previous call wrote, from the same buffer (no host copy) ...
            Assert.Same(prev.OutputValue, t.InputValue);
            Assert.Equal(prev.LatentsOut, t.SampleIn);
            Assert.Equal(prev.PoseOut, t.PoseIn);
            Assert.Equal(prev.MotionStateOut, t.MotionIn);
            // ... and writes into the other buffer (double buffering), never the one it reads.
            Assert.NotSame(t.InputValue, t.OutputValue);
            if (k >= 2) Assert.Same(traces[k - 2].OutputValue, t.OutputValue);
            Assert.NotEqual(prev.LatentsOut, t.LatentsOut);
        }
        // First call: the prefilled window (12 noised reference frames + 4 at t = 999).
        Assert.NotSame(traces[0].InputValue, traces[1].InputValue);
    }

    [Fact]
    public void FirstCallWarmsUpFromThePortraitToTheFirstFrame()
    {
        using var tiny = new TinyEngine();
        using var engine = tiny.Create();
        engine.SetPortrait(TinyEngine.Portrait(64)); // portrait motion = 64/255*2-1
        var traces = Record(engine);
        Dispose(engine.Animate(TinyEngine.Chunk(_ => TinyEngine.Uniform(64, 64, 192), 0))); // first frame motion = 192/255*2-1
        const int mv = TinyModelSet.MotionRows * TinyModelSet.MotionCols;
        float vp = 64 / 255f * 2 - 1, vf = 192 / 255f * 2 - 1;
        var m = traces[0].MotionIn;
        for (var k = 0; k < 12; k++)
        {
            var w = (float)(Half)(k / 12f);
            Assert.Equal((1 - w) * vp + w * vf, m[k * mv + 100], 4);
        }
        Assert.Equal(1, engine.BankCount);
        // Sample frames 0..11: the reference latents noised at 0/333/666; frames 12..15 at 999 (mostly noise).
        var s = traces[0].SampleIn;
        Assert.Equal(16 * 4 * Lat, s.Length);
        Assert.NotEqual(s.AsSpan(12 * Lat, Lat).ToArray(), s.AsSpan(13 * Lat, Lat).ToArray());
    }

    /// <summary>Uniform gray per chunk: the tiny motion state of a frame of value v is v everywhere, so distances are |Δv|·sqrt(512).</summary>
    private static RgbaImage Level(int chunk)
    {
        return chunk switch
        {
            5 => TinyEngine.Uniform(64, 64, 255),   // emitted at call 8: far, but count 8 is not > 8
            9 or 10 => TinyEngine.Uniform(64, 64, 255), // call 12: keyframe 1 (distance 22.5); call 13: in the bank
            11 => TinyEngine.Uniform(64, 64, 0),     // call 14: keyframe 2 (distance to 0 ~ 22.7)
            12 => TinyEngine.Uniform(64, 64, 160),   // call 15: distance ~ 5.7, no
            14 => TinyEngine.Split(64, 64, 255, 0),  // call 17: keyframe 3 (far from all uniform states)
            16 => TinyEngine.Split(64, 64, 0, 255),  // call 19: far again, but 3 updates were made
            30 => TinyEngine.Uniform(64, 64, 0),
            _ => TinyEngine.Uniform(64, 64, 128),
        };
    }

    [Fact]
    public void KeyframesAreAppendedExactlyWhenTheRuleSays()
    {
        using var tiny = new TinyEngine();
        using var engine = tiny.Create();
        engine.SetPortrait(TinyEngine.Portrait(128));
        var traces = Record(engine);
        var updates = new List<int>();
        var lengths = new List<int>();
        for (var k = 0; k < 104; k++)
        {
            var before = engine.KeyframeUpdates;
            var chunk = TinyEngine.Chunk(_ => Level(k), k);
            Dispose(engine.Animate(chunk));
            foreach (var f in chunk) f.Image.Dispose();
            if (engine.KeyframeUpdates > before) updates.Add(k);
            lengths.Add(engine.ReferenceLength0);
        }
        Assert.Equal([12, 14, 17], updates);
        Assert.Equal(64, lengths[11]);
        Assert.Equal(128, lengths[12]);
        Assert.Equal(192, lengths[14]);
        Assert.Equal(256, lengths[103]);
        Assert.Equal(4, engine.BankCount);

        // Independent replay of the rule on the model's emitted motion: same calls.
        var bank = new List<float[]> { traces[0].MotionOut };
        var replay = new List<int>();
        for (var k = 0; k < traces.Count && replay.Count < 3; k++)
        {
            if (k <= 8) continue;
            var m = traces[k].MotionOut;
            var d = bank.Min(b => Math.Sqrt(b.Zip(m, (x, y) => (double)(x - y) * (x - y)).Sum()));
            if (d > 17) { bank.Add(m); replay.Add(k); }
        }
        Assert.Equal(updates, replay);
        // Call 8 emitted a far motion state but was not checked.
        var d8 = Math.Sqrt(traces[8].MotionOut.Zip(traces[0].MotionOut, (x, y) => (double)(x - y) * (x - y)).Sum());
        Assert.True(d8 > 17, $"distance at call 8 was {d8}");
    }

    [Fact]
    public void NewPortraitResetsEverythingAndEqualSeedsGiveEqualFrames()
    {
        using var tiny = new TinyEngine();
        using var a = tiny.Create(seed: 7);
        using var b = tiny.Create(seed: 7);
        using var c = tiny.Create(seed: 8);
        a.SetPortrait(TinyEngine.Portrait(128));
        for (var k = 0; k < 20; k++)
        {
            var chunk = TinyEngine.Chunk(_ => Level(k), k);
            Dispose(a.Animate(chunk));
            foreach (var f in chunk) f.Image.Dispose();
        }
        Assert.True(a.KeyframeUpdates >= 1);
        // Reset by a new portrait: counters, bank and reference states back to the portrait's.
        a.SetPortrait(TinyEngine.Portrait(100));
        Assert.Equal((0, 0, 0, 64), (a.Calls, a.KeyframeUpdates, a.BankCount, a.ReferenceLength0));
        b.SetPortrait(TinyEngine.Portrait(100));
        c.SetPortrait(TinyEngine.Portrait(100));
        for (var k = 0; k < 12; k++)
        {
            var chunk = TinyEngine.Chunk(TinyEngine.Moving, k);
            var fa = a.Animate(chunk);
            var fb = b.Animate(chunk);
            var fc = c.Animate(chunk);
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal(fb[i].Image.Pixels.ToArray(), fa[i].Image.Pixels.ToArray()); // reset engine == fresh engine
                if (k >= 3) Assert.NotEqual(fb[i].Image.Pixels.ToArray(), fc[i].Image.Pixels.ToArray()); // the seed matters
            }
            Dispose(fa); Dispose(fb); Dispose(fc);
            foreach (var f in chunk) f.Image.Dispose();
        }
        Assert.Equal(1, a.BankCount);
    }

    [Fact]
    public void WithoutAPortraitFramesAreBlankAndWrongChunkSizesAreRejected()
    {
        using var tiny = new TinyEngine();
        using var engine = tiny.Create();
        var chunk = TinyEngine.Chunk(TinyEngine.Moving, 0);
        var frames = engine.Animate(chunk);
        Assert.All(frames, f => Assert.Equal(32, f.Image.Pixels[0]));
        Dispose(frames);
        Assert.Throws<ArgumentException>(() => engine.Animate(chunk.Take(3).ToArray()));
        foreach (var f in chunk) f.Image.Dispose();
    }
}
