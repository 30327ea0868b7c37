using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PersonaLive.Inference.Diffusion;
using PersonaLive.Inference.Diffusion.ModelSet;
using PersonaLive.Inference.Diffusion.Tiny;

namespace PersonaLive.Inference.Tests.Diffusion;

/// <summary>
/// The tiny fused step's numbers recomputed in C#: the DDIM step (with <see cref="DdimSchedule"/>) and the
/// x0 decode, from the step's own inputs; and the engine's noised pre-fill rebuilt from the seeded noise.
/// </summary>
public sealed class TinyFusedStepNumericsTests
{
    private const int C = TinyModelSet.LatentChannels, Lat = TinyModelSet.Latent * TinyModelSet.Latent, Cp = TinyModelSet.PoseChannels;
    private const int Mv = TinyModelSet.MotionRows * TinyModelSet.MotionCols, R = TinyModelSet.Resolution;

    private static float[] Random(GaussianNoise noise, int n, float scale = 1, float offset = 0)
    {
        var v = new float[n];
        noise.Fill(v);
        for (var i = 0; i < n; i++) v[i] = v[i] * scale + offset;
        return v;
    }

    private static NamedOnnxValue Input(string name, float[] data, params int[] shape) => NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(data, shape));

    [Fact]
    public void LatentsAndPredVideoAreTheDdimStepAndX0DecodeOfTheInputs()
    {
        using var set = new TinySet();
        using var session = new InferenceSession(Path.Combine(set.Directory, "unet_opt.onnx"));
        var noise = new GaussianNoise(11);
        var sample = Random(noise, C * 16 * Lat);
        var embeds = Random(noise, TinyModelSet.EmbedWidth, 0.5f);
        var motionIn = Random(noise, 12 * Mv, 0.3f);
        var crops = Random(noise, 3 * 4 * TinyModelSet.CropSize * TinyModelSet.CropSize, 0.5f);
        var poseIn = Random(noise, Cp * 12 * Lat, 0.5f);
        var maps = Random(noise, 3 * 4 * R * R, 0.2f, 0.5f);
        var newNoise = Random(noise, C * 4 * Lat);
        var refs = ModelSetContract.ReferenceNames.Select((_, i) => Random(noise, TinyModelSet.ReferenceLength(i) * TinyModelSet.ReferenceChannels[i], 0.5f)).ToArray();
        var inputs = new List<NamedOnnxValue>
        {
            Input("sample", sample, 1, C, 16, 8, 8), Input("encoder_hidden_states", embeds, 1, 1, TinyModelSet.EmbedWidth),
            Input("motion_hidden_states", motionIn, 1, 12, 32, 16), Input("motion", crops, 1, 3, 4, 32, 32),
            Input("pose_cond_fea", poseIn, 1, Cp, 12, 8, 8), Input("pose", maps, 1, 3, 4, R, R), Input("new_noise", newNoise, 1, C, 4, 8, 8),
        };
        for (var i = 0; i < 16; i++)
            inputs.Add(Input(ModelSetContract.ReferenceNames[i], refs[i], 1, TinyModelSet.ReferenceLength(i), TinyModelSet.ReferenceChannels[i]));
        using var results = session.Run(inputs);
        float[] Out(string name) => results.Single(r => r.Name == name).AsTensor<float>().ToArray();
        var latents = Out("latents");
        var video = Out("pred_video");
        var poseOut = Out("pose_cond_fea_out");
        var motionOut = Out("motion_hidden_states_out");

        // The 16-frame pose features and motion: the carried 12, then the 4 new ones (frames 8..11 of the outputs,
        // whose computation from the new maps/crops the streaming tests check separately).
        float Pose(int c, int f, int p) => f < 12 ? poseIn[(c * 12 + f) * Lat + p] : poseOut[(c * 12 + f - 4) * Lat + p];
        double MotionMean(int f) => (f < 12 ? motionIn.AsSpan(f * Mv, Mv) : motionOut.AsSpan((f - 4) * Mv, Mv)).ToArray().Average(v => (double)v);
        var context = refs.Sum(r => r.Average(v => (double)v)) + embeds.Average(v => (double)v);

        // The tiny denoiser's eps (TinyFusedStep): tanh(sample)/2 + 0.2 mean_c pose + 0.2 mean motion + 0.05 context.
        var prev = new float[C * 16 * Lat];
        var x0 = new float[C * 16 * Lat];
        var eps = new float[Lat];
        for (var c = 0; c < C; c++)
            for (var f = 0; f < 16; f++)
            {
                var o = (c * 16 + f) * Lat;
                for (var p = 0; p < Lat; p++)
                {
                    double poseMean = 0;
                    for (var k = 0; k < Cp; k++) poseMean += Pose(k, f, p);
                    eps[p] = (float)(Math.Tanh(sample[o + p]) / 2 + 0.2 * poseMean / Cp + 0.2 * MotionMean(f) + 0.05 * context);
                }
                DdimSchedule.Default.Step(sample.AsSpan(o, Lat), eps, DdimSchedule.WindowTimesteps[f / 4], prev.AsSpan(o, Lat), x0.AsSpan(o, Lat));
            }

        // (a) latents = DDIM step of window frames 4..15 (their own t), then new_noise.
        // Tolerance: the graph and C# evaluate the same float32 formula in a different order (reductions over up to
        // 4096 values, tanh implementations), ~1e-6 relative on eps; x0 at t = 999 divides by sqrt(a_999) = 0.0152,
        // amplifying that 66x, and prev multiplies it back by sqrt(a_666) = 0.19. So 1e-5 relative (plus 1e-5
        // absolute near zero) is ~10x the expected rounding and far below a wrong timestep (a_prev of a
        // neighbouring step changes prev by > 1e-1 relative). Measured: the worst element uses 3% of this bound.
        double worst = 0;
        for (var c = 0; c < C; c++)
        {
            for (var f = 0; f < 12; f++)
                for (var p = 0; p < Lat; p++)
                {
                    float want = prev[(c * 16 + f + 4) * Lat + p], got = latents[(c * 16 + f) * Lat + p];
                    worst = Math.Max(worst, Math.Abs(want - got) / (1e-5 + 1e-5 * Math.Abs(want)));
                    Assert.True(Math.Abs(want - got) <= 1e-5 + 1e-5 * Math.Abs(want), $"latents c{c} f{f} p{p}: {got}, C# DDIM step {want}");
                }
            Assert.Equal(newNoise.AsSpan(c * 4 * Lat, 4 * Lat).ToArray(), latents.AsSpan((c * 16 + 12) * Lat, 4 * Lat).ToArray());
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"latents: worst error / tolerance {worst:F3}");

        // (b) pred_video = x0 of frames 0..3, channels 0..2, 8x nearest upsampled, NHWC, tanh(x/2)/2 + 0.5 clamped.
        // x0 at t = 0..333 is well conditioned; tanh's slope is <= 1/4 here, so 1e-5 absolute is generous for float32.
        for (var f = 0; f < 4; f++)
            for (var y = 0; y < R; y++)
                for (var x = 0; x < R; x++)
                    for (var c = 0; c < 3; c++)
                    {
                        var z = x0[(c * 16 + f) * Lat + y / 8 * 8 + x / 8];
                        var want = Math.Clamp(Math.Tanh(z / 2) / 2 + 0.5, 0, 1);
                        Assert.Equal(want, video[((f * R + y) * R + x) * 3 + c], 1e-5);
                    }
        var first = Out("latent_first");
        for (var c = 0; c < C; c++)
            for (var p = 0; p < Lat; p++) Assert.Equal(x0[c * 16 * Lat + p], first[c * Lat + p], 1e-5);
    }

    [Fact]
    public void NoisedPrefillPutsEachFourFrameGroupAtItsTimestep()
    {
        using var tiny = new TinyEngine();
        const ulong seed = 5;
        using var engine = tiny.Create(seed);
        engine.SetPortrait(new Engines.PreparedPortrait(TinyEngine.Split(512, 512, 40, 220), 512)); // non-uniform latents
        float[]? sampleIn = null, newNoise = null;
        engine.OnFusedRun = (e, after) =>
        {
            if (after || sampleIn is not null) return;
            sampleIn = FusedStepRunnerHost(e);
            newNoise = (float[])e.Fused.NewNoise.Data.Clone();
        };
        foreach (var f in engine.Animate(TinyEngine.Chunk(TinyEngine.Moving, 0))) f.Image.Dispose();
        var latents = engine.ReferenceLatents!;

        // The engine's draws in order: (1,C,12,l,l) for frames 0..11 when the portrait is set, (1,C,4,l,l) for the
        // window tail on the first chunk, (1,C,4,l,l) for that call's new_noise.
        var noise = new GaussianNoise(seed);
        float[] head = new float[C * 12 * Lat], tail = new float[C * 4 * Lat], fresh = new float[C * 4 * Lat];
        noise.Fill(head);
        noise.Fill(tail);
        noise.Fill(fresh);
        var s = DdimSchedule.Default;
        for (var f = 0; f < 16; f++)
        {
            // Intended timestep of window frame f: 0/333/666 per 4-frame group of the pre-fill, 999 for the tail.
            var t = f < 12 ? f / 4 * 333 : 999;
            // Fit sample = a * latents + b * noise over the frame (least squares, all channels) and compare a, b with
            // sqrt(a_t), sqrt(1 - a_t) computed here in double: this identifies the timestep without the engine's
            // AddNoise. Float32 storage limits the fit to ~1e-6; neighbouring timesteps differ by > 0.2 in a.
            double sll = 0, snn = 0, sln = 0, sly = 0, sny = 0;
            for (var c = 0; c < C; c++)
                for (var p = 0; p < Lat; p++)
                {
                    double l = latents[c * Lat + p], n = f < 12 ? head[(c * 12 + f) * Lat + p] : tail[(c * 4 + f - 12) * Lat + p];
                    double y = sampleIn![(c * 16 + f) * Lat + p];
                    sll += l * l; snn += n * n; sln += l * n; sly += l * y; sny += n * y;
                }
            var det = sll * snn - sln * sln;
            double a = (sly * snn - sny * sln) / det, b = (sny * sll - sly * sln) / det;
            var alpha = s.AlphaCumprod(t);
            Assert.True(Math.Abs(a - Math.Sqrt(alpha)) < 1e-4, $"frame {f}: signal coefficient {a}, sqrt(a_{t}) = {Math.Sqrt(alpha)}");
            Assert.True(Math.Abs(b - Math.Sqrt(1 - alpha)) < 1e-4, $"frame {f}: noise coefficient {b}, sqrt(1 - a_{t}) = {Math.Sqrt(1 - alpha)}");
        }
        // new_noise: the same latents at t = 999 with the third draw, element for element (same float32 formula: exact).
        var (sig, nz) = s.NoiseCoefficients(999, halfPrecision: false);
        for (var c = 0; c < C; c++)
            for (var i = 0; i < 4 * Lat; i++)
                Assert.Equal(sig * latents[c * Lat + i % Lat] + nz * fresh[c * 4 * Lat + i], newNoise![c * 4 * Lat + i]);
    }

    private static float[] FusedStepRunnerHost(PersonaLiveEngine e) => Inference.Diffusion.Runtime.FusedStepRunner.ToHost(e.Fused.NextInput(0));
}
