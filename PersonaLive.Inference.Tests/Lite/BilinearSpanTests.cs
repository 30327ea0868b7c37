using System.Runtime.Intrinsics.X86;
using PersonaLive.Inference.Lite;

namespace PersonaLive.Inference.Tests.Lite;

/// <summary>
/// The warp's inner loop: the eight-pixel vector path must give exactly the scalar loop's bytes (runs that start
/// and end anywhere, step any way, leave the picture), and the scalar loop must blend as bilinear filtering does.
/// </summary>
public sealed class BilinearSpanTests
{
    [Fact]
    public void VectorPathEqualsScalarPathOnRandomRuns()
    {
        if (!Avx2.IsSupported) Assert.Skip("This CPU has no AVX2, so only the scalar path exists.");
        var rng = new Random(7);
        const int w = 37, h = 29;
        var source = new uint[w * h];
        for (var i = 0; i < source.Length; i++) source[i] = (uint)rng.Next() ^ ((uint)rng.Next() << 16);
        var vector = new uint[64];
        var scalar = new uint[64];
        for (var run = 0; run < 2000; run++)
        {
            var x0 = rng.Next(0, 20);
            var x1 = x0 + rng.Next(8, 44);
            // Starts from well outside to well inside the picture, steps up to two pixels either way (16.16 fixed point).
            int fx = rng.Next(-10 << 16, (w + 10) << 16), fy = rng.Next(-10 << 16, (h + 10) << 16);
            int dx = rng.Next(-2 << 16, 2 << 16), dy = rng.Next(-2 << 16, 2 << 16);
            Array.Clear(vector);
            Array.Clear(scalar);
            BilinearSpan.Sample(source, w, h, vector, x0, x1, fx, fy, dx, dy);
            BilinearSpan.SampleScalar(source, w, h, scalar, x0, x1, fx, fy, dx, dy);
            Assert.Equal(scalar, vector);
        }
    }

    [Fact]
    public void BlendsTheFourNeighboursByDistanceAndRepeatsTheEdgeOutside()
    {
        // 2x2 source, one channel lit per texel: red 200 top-left, green 100 top-right, blue 200 bottom-left, alpha 200 bottom-right.
        uint[] source = [0x000000C8u, 0x00006400u, 0x00C80000u, 0xC8000000u];
        var row = new uint[10];
        // Pixel 0: the centre of the four; pixel 1..: the same but far outside (clamped to the last texel).
        BilinearSpan.SampleScalar(source, 2, 2, row, 0, 1, 1 << 15, 1 << 15, 0, 0);
        Assert.Equal(0x32321932u, row[0]); // each channel a quarter of its one non-zero value (200/4=50, 100/4=25)
        BilinearSpan.Sample(source, 2, 2, row, 1, 10, 40 << 16, 40 << 16, 1 << 16, 0);
        // Clamped to 1/65536 short of the last texel (1,1): weights 255/256 towards it, so alpha (200*255/256)*255/256 = 198.
        Assert.All(row[1..], p => Assert.Equal(0xC6000000u, p));
    }

    [Fact]
    public void FloatRunsFarOutsideThePictureAreClampedPixelByPixel()
    {
        uint[] source = [1, 2, 3, 4];
        var row = new uint[16];
        BilinearSpan.Sample(source, 2, 2, row, 0, 16, -1e9f, -1e9f, 1e8f, 0);
        Assert.All(row[..10], p => Assert.Equal(1u, p)); // still left of the picture: its top-left texel
    }
}
