namespace PersonaLive.Inference.Diffusion;

/// <summary>
/// The DDIM noise schedule of the official online pipeline (port-notes §4): 1000 training steps,
/// "scaled_linear" betas (linspace of the square roots of 0.00085 and 0.02, squared),
/// <c>alphas_cumprod</c> = cumulative product of (1 - beta), step length 333, <c>set_alpha_to_one</c>
/// (the alpha before t = 0 is 1), eta 0, epsilon prediction, no clipping. The window holds four frames
/// at each of <see cref="WindowTimesteps"/>.
/// </summary>
public sealed class DdimSchedule
{
    public const int TrainSteps = 1000;
    public const double BetaStart = 0.00085;
    public const double BetaEnd = 0.02;
    public const int StepLength = 333;

    /// <summary>The four noise levels of the 16-frame window, oldest (cleanest) first.</summary>
    public static readonly int[] WindowTimesteps = [0, 333, 666, 999];

    private readonly double[] _alphasCumprod = new double[TrainSteps];

    public DdimSchedule()
    {
        double s0 = Math.Sqrt(BetaStart), s1 = Math.Sqrt(BetaEnd), product = 1;
        for (var i = 0; i < TrainSteps; i++)
        {
            var root = s0 + (s1 - s0) * i / (TrainSteps - 1);
            product *= 1 - root * root;
            _alphasCumprod[i] = product;
        }
    }

    /// <summary>The shared instance (the schedule is immutable).</summary>
    public static DdimSchedule Default { get; } = new();

    /// <summary><c>alphas_cumprod[t]</c>.</summary>
    public double AlphaCumprod(int t) => _alphasCumprod[t];

    /// <summary>The alpha of the step after <paramref name="t"/>: <c>alphas_cumprod[t - 333]</c>, or 1 below zero.</summary>
    public double AlphaPrev(int t) => t - StepLength >= 0 ? _alphasCumprod[t - StepLength] : 1.0;

    /// <summary>
    /// <c>add_noise</c> coefficients (sqrt(a_t), sqrt(1 - a_t)). With <paramref name="halfPrecision"/> they
    /// are evaluated like the official fp16 run: alpha rounded to half, each operation rounded to half
    /// (e.g. the noise coefficient is exactly 1 at t = 999 and 0.03125 at t = 0; port-notes §4).
    /// </summary>
    public (float Signal, float Noise) NoiseCoefficients(int t, bool halfPrecision)
    {
        var a = _alphasCumprod[t];
        if (!halfPrecision) return ((float)Math.Sqrt(a), (float)Math.Sqrt(1 - a));
        var ah = (float)(Half)a;
        var signal = (float)(Half)MathF.Sqrt(ah);
        var oneMinus = (float)(Half)(1f - ah);
        return (signal, (float)(Half)MathF.Sqrt(oneMinus));
    }

    /// <summary><c>dst = sqrt(a_t) x + sqrt(1 - a_t) noise</c>, element-wise.</summary>
    public void AddNoise(ReadOnlySpan<float> x, ReadOnlySpan<float> noise, int t, Span<float> dst, bool halfPrecision)
    {
        if (noise.Length < x.Length || dst.Length < x.Length) throw new ArgumentException("Noise and destination must be as long as the input.");
        var (s, n) = NoiseCoefficients(t, halfPrecision);
        for (var i = 0; i < x.Length; i++) dst[i] = s * x[i] + n * noise[i];
    }

    /// <summary>
    /// One DDIM step (eta 0) of a sample at <paramref name="t"/> with predicted noise <paramref name="eps"/>:
    /// x0 = (x - sqrt(1-a_t) eps) / sqrt(a_t); prev = sqrt(a_prev) x0 + sqrt(1-a_prev) eps.
    /// </summary>
    public void Step(ReadOnlySpan<float> x, ReadOnlySpan<float> eps, int t, Span<float> prev, Span<float> x0)
    {
        double a = _alphasCumprod[t], ap = AlphaPrev(t);
        float sa = (float)Math.Sqrt(a), sn = (float)Math.Sqrt(1 - a), spa = (float)Math.Sqrt(ap), spn = (float)Math.Sqrt(1 - ap);
        for (var i = 0; i < x.Length; i++)
        {
            var pred = (x[i] - sn * eps[i]) / sa;
            x0[i] = pred;
            prev[i] = spa * pred + spn * eps[i];
        }
    }
}
