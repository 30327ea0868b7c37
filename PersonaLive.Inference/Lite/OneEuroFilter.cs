namespace PersonaLive.Inference.Lite;

/// <summary>
/// A bank of One-Euro filters (Casiez, Roussel, Vogel, CHI 2012), one per value: a low-pass whose cutoff
/// rises with the (filtered) speed, so a still face does not jitter while fast motion keeps little lag.
/// Cutoffs in Hz, values per second for the speed term.
/// </summary>
public sealed class OneEuroFilterBank(int count, float minCutoff = 1.0f, float beta = 0.02f, float derivativeCutoff = 1.0f)
{
    private readonly float[] _x = new float[count];
    private readonly float[] _dx = new float[count];
    private bool _initialised;

    public int Count => count;

    public void Reset() => _initialised = false;

    /// <summary>Filters <paramref name="values"/> in place, <paramref name="dt"/> seconds after the previous call.</summary>
    public void Filter(Span<float> values, float dt)
    {
        if (values.Length != count) throw new ArgumentException($"Expected {count} values.", nameof(values));
        if (!_initialised)
        {
            values.CopyTo(_x);
            Array.Clear(_dx);
            _initialised = true;
            return;
        }
        if (!(dt > 0)) dt = 1f / 30;
        var aD = Alpha(derivativeCutoff, dt);
        for (var i = 0; i < count; i++)
        {
            var v = values[i];
            var d = (v - _x[i]) / dt;
            var ed = _dx[i] + aD * (d - _dx[i]);
            _dx[i] = ed;
            var a = Alpha(minCutoff + beta * MathF.Abs(ed), dt);
            var x = _x[i] + a * (v - _x[i]);
            _x[i] = x;
            values[i] = x;
        }
    }

    private static float Alpha(float cutoff, float dt)
    {
        var tau = 1f / (2 * MathF.PI * cutoff);
        return 1f / (1f + tau / dt);
    }
}
