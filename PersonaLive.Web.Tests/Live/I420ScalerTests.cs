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
