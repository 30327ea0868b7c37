using PersonaLive.Inference.Diffusion;

namespace PersonaLive.Inference.Tests.Diffusion.Parity;

/// <summary>
/// The chunk-by-chunk parity run feeds the official runner the engine's own noise through a Python
/// transcription of <see cref="GaussianNoise"/> (tools/parity/engine_noise.py). Its first 1024 draws for
/// seed 7 are frozen; if the engine's generator changes and the transcription does not, the two sides of
/// that run would silently see different noise, so this fails instead.
/// </summary>
public sealed class HarnessNoiseTests
{
    [Fact]
    public void EngineNoiseMatchesTheHarnessTranscription()
    {
        var frozen = OfficialReference.Load("harness_noise_seed7").Data;
        var ours = new float[frozen.Length];
        new GaussianNoise(7).Fill(ours);
        // Same double arithmetic on both sides; only the last bit of a libm sin/cos/log may differ.
        for (var i = 0; i < ours.Length; i++)
            Assert.True(Math.Abs(ours[i] - frozen[i]) <= 1e-6f, $"draw {i}: {ours[i]} vs {frozen[i]}");
        Assert.Contains(frozen, v => v < -2f);
        Assert.Contains(frozen, v => v > 2f);
    }
}
