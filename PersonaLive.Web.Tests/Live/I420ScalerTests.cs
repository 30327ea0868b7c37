using PersonaLive.Media;

namespace PersonaLive.Web.Tests.Live;

/// <summary>
/// Planar scaling (no RGBA on the way): equal sizes copy exactly, flat planes stay flat, a ramp scaled
/// down keeps its averages and its order, scaling up interpolates between neighbours, and strides and
/// odd sizes (chroma rounded up) are honoured.
/// </summary>
public sealed class I420ScalerTests
{
    [Fact]
    public void Equal_sizes_copy_every_sample()
    {
        using var source = Ramp(6, 4);
        using var copy = I420Scaler.Scale(source, 6, 4);
        Assert.Equal(source.Y.ToArray(), copy.Y.ToArray());
        Assert.Equal(source.U.ToArray(), copy.U.ToArray());
        Assert.Equal(source.V.ToArray(), copy.V.ToArray());
    }

    [Fact]
    public void Halving_a_ramp_averages_neighbour_pairs()
    {
        using var source = Ramp(8, 2); // luma row: 0, 10, ..., 70 on both rows
        using var half = I420Scaler.Scale(source, 4, 1);
        Assert.Equal([5, 25, 45, 65], half.Y.ToArray().Select(v => (int)v)); // each output centre lies between two inputs
    }

    [Fact]
    public void Doubling_interpolates_and_keeps_the_edges()
    {
        var plane = new byte[] { 0, 100 };
        var output = new byte[4];
        I420Scaler.ScalePlane(plane, 2, 2, 1, output, 4, 4, 1);
        Assert.Equal([0, 25, 75, 100], output.Select(v => (int)v));
    }

    [Fact]
    public void Flat_pictures_of_odd_sizes_stay_flat_with_chroma_rounded_up_and_strides_honoured()
    {
        var buffer = new byte[16 * 9 + 2 * (10 * 5)];
        using var source = new I420Frame(9, 9, 16, 10, 10, buffer); // strides wider than the picture
        source.Fill(81, 90, 240);
        using var scaled = I420Scaler.Scale(source, 5, 3);
        Assert.Equal((3, 2), (scaled.ChromaWidth, scaled.ChromaHeight));
        Assert.All(scaled.Y.ToArray(), v => Assert.Equal(81, v));
        Assert.All(scaled.U.ToArray(), v => Assert.Equal(90, v));
        Assert.All(scaled.V.ToArray(), v => Assert.Equal(240, v));
    }

    [Fact]
    public void Bad_geometry_is_refused()
    {
        var small = new byte[3];
        Assert.Throws<ArgumentException>(() => I420Scaler.ScalePlane(small, 2, 2, 2, new byte[4], 2, 2, 2));
        Assert.Throws<ArgumentException>(() => I420Scaler.ScalePlane(new byte[4], 2, 2, 2, new byte[4], 2, 0, 2));
    }

    [Theory]
    [InlineData(640, 480, 256, 256)] // a webcam picture to the echo engine's output
    [InlineData(320, 240, 128, 128)] // its chroma
    [InlineData(37, 23, 101, 59)] // up, odd sizes, rows shorter than a vector's tail
    [InlineData(100, 7, 33, 3)]
    public void Every_sample_is_the_rounded_four_tap_blend_of_its_source_neighbours(int sw, int sh, int dw, int dh)
    {
        var random = new Random(sw * 31 + dh);
        int stride = sw + 5; // padded rows, like a decoder's
        var source = new byte[stride * sh];
        random.NextBytes(source);
        var output = new byte[dw * dh];
        I420Scaler.ScalePlane(source, stride, sw, sh, output, dw, dw, dh);
        for (var y = 0; y < dh; y++)
            for (var x = 0; x < dw; x++)
                Assert.Equal(FourTap(source, stride, sw, sh, dw, dh, x, y), output[y * dw + x]);
    }

    /// <summary>The reference: centres aligned, 8-bit weights, edges clamped, horizontal then vertical, one rounding.</summary>
    private static byte FourTap(byte[] s, int stride, int sw, int sh, int dw, int dh, int x, int y)
    {
        static (int Index, int Weight) At(int i, int sourceLength, int destinationLength)
        {
            long f = Math.Clamp(((2L * i + 1) * sourceLength << 15) / destinationLength - 32768, 0, (long)(sourceLength - 1) << 16);
            return ((int)(f >> 16), (int)((f >> 8) & 0xFF));
        }

        var (x0, wx) = At(x, sw, dw);
        var (y0, wy) = At(y, sh, dh);
        int x1 = Math.Min(x0 + 1, sw - 1), y1 = Math.Min(y0 + 1, sh - 1);
        int top = s[y0 * stride + x0] * (256 - wx) + s[y0 * stride + x1] * wx;
        int bottom = s[y1 * stride + x0] * (256 - wx) + s[y1 * stride + x1] * wx;
        return (byte)((top * (256 - wy) + bottom * wy + 32768) >> 16);
    }

    /// <summary>Luma 10 x column on every row; chroma flat.</summary>
    private static I420Frame Ramp(int width, int height)
    {
        var f = I420Frame.Create(width, height);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                f.Y[y * width + x] = (byte)(10 * x);
        f.U.Fill(128);
        f.V.Fill(128);
        return f;
    }
}
