namespace PersonaLive.Inference.Diffusion;

/// <summary>
/// Seeded standard-normal noise (xoshiro256** seeded by SplitMix64, Box-Muller pairs). The official
/// online pipeline draws unseeded noise (port-notes §8); seeding is ours so that identical seed, portrait
/// and frames give identical output. Fills tensors in row-major order, one draw sequence per session.
/// </summary>
public sealed class GaussianNoise
{
    private ulong _s0, _s1, _s2, _s3;
    private double _spare;
    private bool _hasSpare;

    public GaussianNoise(ulong seed) => Reseed(seed);

    /// <summary>Restarts the sequence as if newly constructed with <paramref name="seed"/>.</summary>
    public void Reseed(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
        _hasSpare = false;
    }

    /// <summary>Fills <paramref name="dst"/> with independent N(0,1) values.</summary>
    public void Fill(Span<float> dst)
    {
        for (var i = 0; i < dst.Length; i++) dst[i] = (float)Next();
    }

    /// <summary>The next N(0,1) value.</summary>
    public double Next()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spare;
        }
        double u1, u2;
        do u1 = Uniform(); while (u1 <= double.Epsilon);
        u2 = Uniform();
        var r = Math.Sqrt(-2 * Math.Log(u1));
        var a = 2 * Math.PI * u2;
        _spare = r * Math.Sin(a);
        _hasSpare = true;
        return r * Math.Cos(a);
    }

    private double Uniform() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    private ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
