using PersonaLive.Inference.Diffusion;

namespace PersonaLive.Inference.Tests.Diffusion;

/// <summary>The DDIM schedule against an independent computation and its own algebra.</summary>
public sealed class ScheduleTests
{
    /// <summary>Second method: expand (a + (b-a)i/999)^2 as a polynomial and take exp of the summed log1p.</summary>
    private static double Independent(int t)
    {
        double a = Math.Sqrt(0.00085), d = Math.Sqrt(0.02) - a, logSum = 0;
        for (var i = 0; i <= t; i++)
        {
            var u = i / 999.0;
            var beta = a * a + 2 * a * d * u + d * d * u * u;
            logSum += Math.Log(1 - beta);
        }
        return Math.Exp(logSum);
    }

    [Theory]
    [InlineData(0, 0.99915)]
    [InlineData(333, 0.4468169958)]
    [InlineData(666, 0.0376410543)]
    [InlineData(999, 0.0002300126)]
    public void AlphasCumprodMatchesAnIndependentComputationAndThePortNotes(int t, double portNotes)
    {
        var a = DdimSchedule.Default.AlphaCumprod(t);
        Assert.Equal(Independent(t), a, 1e-12);
        Assert.True(Math.Abs(a - portNotes) <= 6e-11, $"a[{t}] = {a}, port notes say {portNotes} (10 decimals)");
    }

    [Fact]
    public void AlphaPrevIsOneBelowZeroAndStepsBy333()
    {
        var s = DdimSchedule.Default;
        Assert.Equal(1.0, s.AlphaPrev(0));
        Assert.Equal(s.AlphaCumprod(0), s.AlphaPrev(333));
        Assert.Equal(s.AlphaCumprod(333), s.AlphaPrev(666));
        Assert.Equal(s.AlphaCumprod(666), s.AlphaPrev(999));
    }

    [Theory]
    [InlineData(0, 0.99951171875, 0.03125)]
    [InlineData(333, 0.66845703125, 0.74365234375)]
    [InlineData(666, 0.1939697265625, 0.98095703125)]
    [InlineData(999, 0.015167236328125, 1.0)]
    public void HalfPrecisionNoiseCoefficientsMatchTheOfficialFp16Values(int t, double signal, double noise)
    {
        var (s, n) = DdimSchedule.Default.NoiseCoefficients(t, halfPrecision: true);
        Assert.Equal(signal, s);
        Assert.Equal(noise, n);
        var (s32, n32) = DdimSchedule.Default.NoiseCoefficients(t, halfPrecision: false);
        Assert.Equal(1.0, s32 * (double)s32 + n32 * (double)n32, 1e-6);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(333)]
    [InlineData(666)]
    [InlineData(999)]
    public void StepOfANoisedSampleRecoversX0AndLandsOnThePreviousNoiseLevel(int t)
    {
        var s = DdimSchedule.Default;
        var noise = new GaussianNoise(7);
        float[] x0 = new float[256], eps = new float[256];
        noise.Fill(x0);
        noise.Fill(eps);
        var xt = new float[256];
        s.AddNoise(x0, eps, t, xt, halfPrecision: false);
        float[] prev = new float[256], pred = new float[256];
        s.Step(xt, eps, t, prev, pred);
        var expectedPrev = new float[256];
        if (t >= 333) s.AddNoise(x0, eps, t - 333, expectedPrev, halfPrecision: false);
        else x0.CopyTo(expectedPrev, 0);
        var tol = t == 999 ? 2e-3 : 1e-4; // dividing by sqrt(a_999) = 0.015 amplifies float rounding
        for (var i = 0; i < 256; i++)
        {
            Assert.Equal(x0[i], pred[i], tol);
            Assert.Equal(expectedPrev[i], prev[i], tol);
        }
    }

    [Fact]
    public void SeededNoiseIsReproducibleAndStandardNormal()
    {
        float[] a = new float[100_000], b = new float[100_000], c = new float[16];
        new GaussianNoise(42).Fill(a);
        new GaussianNoise(42).Fill(b);
        new GaussianNoise(43).Fill(c);
        Assert.Equal(a, b);
        Assert.NotEqual(a.AsSpan(0, 16).ToArray(), c);
        double mean = a.Average(v => (double)v), variance = a.Average(v => (v - mean) * (v - mean));
        Assert.InRange(mean, -0.02, 0.02);
        Assert.InRange(variance, 0.98, 1.02);
        var g = new GaussianNoise(42);
        g.Fill(c);
        g.Reseed(42);
        var d = new float[16];
        g.Fill(d);
        Assert.Equal(c, d);
    }
}
