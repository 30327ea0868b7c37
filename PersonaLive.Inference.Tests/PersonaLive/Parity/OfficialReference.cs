namespace PersonaLive.Inference.Tests.Diffusion.Parity;

/// <summary>
/// The reference arrays tools/parity/freeze_reference.py computed with the official PersonaLive code
/// (provenance.json beside them says which commit, which dependency versions, and what each array is).
/// </summary>
internal static class OfficialReference
{
    /// <summary>Folder of the frozen arrays in the test output.</summary>
    public static string Folder => Path.Combine(AppContext.BaseDirectory, "PersonaLive", "Parity", "Data");

    /// <summary>Loads array <paramref name="name"/> (without extension).</summary>
    public static Npy Load(string name) => Npy.Load(Path.Combine(Folder, name + ".npy"));

    /// <summary>Row <paramref name="i"/> of a 2-D-or-more array, as a copy.</summary>
    public static float[] Row(Npy a, int i)
    {
        var n = a.Data.Length / a.Shape[0];
        return a.Data.AsSpan(i * n, n).ToArray();
    }

    /// <summary>The crop source both sides build: planar RGB 512x512, sin/cos pattern in [-1, 1].</summary>
    public static float[] SyntheticImage(int size = 512)
    {
        var img = new float[3 * size * size];
        for (var c = 0; c < 3; c++)
            for (var y = 0; y < size; y++)
                for (var x = 0; x < size; x++)
                    img[(c * size + y) * size + x] = (float)(Math.Sin(0.031 * x + 0.7 * c) * Math.Cos(0.023 * y - 0.4 * c));
        return img;
    }

    /// <summary>Largest |a - b| over two equally long sequences.</summary>
    public static double MaxAbs(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(a.Length, b.Length);
        double m = 0;
        for (var i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs((double)a[i] - b[i]));
        return m;
    }
}
