using PersonaLive.Inference.Diffusion;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Tests.Diffusion;

/// <summary>Keypoint maps, face boxes and the crop resamplers on hand-made inputs.</summary>
public sealed class KeypointRasterTests
{
    private static readonly int[] Drawn = [1, 2, 3, 4, 12, 15, 20];

    /// <summary>Keypoints whose 7 drawn points land exactly on the given pixels of a 512 canvas.</summary>
    private static float[] AtPixels(int[] xs, int[] ys)
    {
        var kp = new float[63];
        for (var i = 0; i < 63; i++) kp[i] = -0.9f; // undrawn points: irrelevant
        for (var i = 0; i < 7; i++)
        {
            kp[3 * Drawn[i]] = xs[i] / 256f - 1;
            kp[3 * Drawn[i] + 1] = ys[i] / 256f - 1;
        }
        return kp;
    }

    [Fact]
    public void PixelIsTruncatedHalfPrecisionOfTheScaledCoordinate()
    {
        Assert.Equal(256, KeypointRaster.Pixel(0, 512));
        Assert.Equal(0, KeypointRaster.Pixel(-1, 512));
        Assert.Equal(511, KeypointRaster.Pixel(0.999f, 512));
        Assert.Equal(384, KeypointRaster.Pixel(0.5f, 512));
        Assert.Equal(-2, KeypointRaster.Pixel(-1.01f, 512)); // off-canvas stays off (trunc toward zero of -2.56)
        Assert.Equal(32, KeypointRaster.Pixel(0, 64));
    }

    [Fact]
    public void MapHasSevenDiscsOfRadiusFourInTheirColours()
    {
        int[] xs = [40, 120, 200, 280, 360, 440, 480], ys = [50, 100, 150, 200, 250, 300, 350];
        var kp = AtPixels(xs, ys);
        const int n = 512 * 512;
        var tensor = new float[3 * 2 * n];
        tensor.AsSpan().Fill(0.7f); // stale content must be cleared
        KeypointRaster.DrawMap(kp, 512, tensor, frames: 2, frame: 1);
        float At(int c, int x, int y) => tensor[(c * 2 + 1) * n + y * 512 + x];
        float[][] colours = [[1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 1, 1], [0, 0, 1], [1, 0, 1], [1, 0, 85 / 255f]];
        for (var i = 0; i < 7; i++)
        {
            for (var c = 0; c < 3; c++) Assert.Equal(colours[i][c], At(c, xs[i], ys[i]), 6);
            for (var c = 0; c < 3; c++) Assert.Equal(colours[i][c], At(c, xs[i] + 4, ys[i]), 6); // on the rim
            Assert.Equal(0f, At(0, xs[i] + 3, ys[i] + 3) + At(1, xs[i] + 3, ys[i] + 3) + At(2, xs[i] + 3, ys[i] + 3)); // 18 > 16
        }
        var lit = 0;
        for (var p = 0; p < n; p++)
            if (tensor[n + p] + tensor[3 * n + p] + tensor[5 * n + p] > 0) lit++;
        Assert.Equal(7 * 49, lit); // a radius-4 disc covers 49 pixel centres
        Assert.Equal(0.7f, tensor[0]); // frame 0 untouched
    }

    [Fact]
    public void OverlappingDiscsAddAndClampAndOffCanvasDiscsAreClipped()
    {
        int[] xs = [100, 100, 300, 300, 510, -100, -100], ys = [100, 100, 300, 300, 2, -100, -100];
        var kp = AtPixels(xs, ys);
        var tensor = new float[3 * 512 * 512];
        KeypointRaster.DrawMap(kp, 512, tensor, 1, 0);
        float At(int c, int x, int y) => tensor[c * 512 * 512 + y * 512 + x];
        Assert.Equal((1f, 1f, 0f), (At(0, 100, 100), At(1, 100, 100), At(2, 100, 100))); // red + yellow, clamped
        Assert.Equal((0f, 1f, 1f), (At(0, 300, 300), At(1, 300, 300), At(2, 300, 300))); // green + cyan, clamped
        Assert.Equal(1f, At(2, 511, 0)); // partial blue disc at the corner
    }

    [Fact]
    public void FaceBoxFollowsTheOfficialFormulaOnIntegerMeans()
    {
        int[] xs = [200, 220, 240, 260, 280, 300, 330], ys = [180, 190, 200, 260, 300, 320, 240];
        var box = KeypointRaster.Box(AtPixels(xs, ys), 512);
        double cx = xs.Average(), cy = ys.Average(), side = (cy - ys.Min()) * 2 * 1.7;
        Assert.Equal(new FaceBox((int)(cx - side / 2 * 0.95), (int)(cy - side / 2 * 0.95), (int)(cx + side / 2 * 1.05), (int)(cy + side / 2 * 1.05)), box);
        // Near the border the box is clamped to [0, 511].
        int[] ys2 = [5, 15, 30, 200, 400, 480, 500];
        var clamped = KeypointRaster.Box(AtPixels(xs, ys2), 512);
        Assert.Equal(511, clamped.Y2);
        Assert.True(clamped.Y1 >= 0 && clamped.X1 >= 0 && clamped.X2 <= 511);
    }

    [Fact]
    public void CropBilinearUsesHalfPixelCentres()
    {
        const int size = 64;
        var src = new float[3 * size * size];
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                src[y * size + x] = x;                    // ramp in x
                src[size * size + y * size + x] = y;      // ramp in y
                src[2 * size * size + y * size + x] = (x / 2 + y / 2) % 2; // 2x2 checker
            }
        var dst = new float[3 * 32 * 32];
        Resampling.CropBilinear(src, size, new FaceBox(0, 0, 64, 64), dst, 32, 1, 0);
        // Exact 2x shrink = mean of each 2x2 block.
        for (var j = 0; j < 32; j++)
            for (var i = 0; i < 32; i++)
            {
                Assert.Equal(2 * i + 0.5f, dst[j * 32 + i], 5);
                Assert.Equal(2 * j + 0.5f, dst[1024 + j * 32 + i], 5);
                Assert.Equal(src[2 * 4096 + 2 * j * 64 + 2 * i], dst[2048 + j * 32 + i], 5);
            }
        // Crop of columns 10..39 to 224: source x = 10 + max((i + 0.5) * 30/224 - 0.5, 0), far index clamped at 39.
        var crop = new float[3 * 224 * 224];
        Resampling.CropBilinear(src, size, new FaceBox(10, 20, 40, 50), crop, 224, 1, 0, scale: 2, offset: -1);
        for (var i = 0; i < 224; i++)
        {
            var x = Math.Min(10 + Math.Max((i + 0.5) * 30 / 224 - 0.5, 0), 39);
            Assert.Equal(x * 2 - 1, crop[100 * 224 + i], 3);
        }
    }

    [Fact]
    public void SquareResizerTakesTheCentredSquareAndKeepsFlatAreasFlat()
    {
        using var frame = new RgbaImage(80, 60);
        var px = frame.Pixels;
        for (var y = 0; y < 60; y++)
            for (var x = 0; x < 80; x++)
            {
                var o = (y * 80 + x) * 4;
                px[o] = (byte)(x < 10 || x >= 70 ? 255 : 100); // bands outside the centred 60x60 square
                px[o + 1] = 50;
                px[o + 2] = 200;
                px[o + 3] = 255;
            }
        var dst = new float[3 * 16 * 16];
        var resizer = new SquareResizer();
        resizer.Resize(frame, 16, dst, 2, -1);
        for (var i = 0; i < 256; i++)
        {
            Assert.Equal(100 / 255f * 2 - 1, dst[i], 4);
            Assert.Equal(50 / 255f * 2 - 1, dst[256 + i], 4);
            Assert.Equal(200 / 255f * 2 - 1, dst[512 + i], 4);
        }
        // Upscaling a two-level image keeps the levels at the far ends and stays monotone.
        using var bars = new RgbaImage(8, 8);
        for (var y = 0; y < 8; y++)
            for (var x = 0; x < 8; x++) bars.Pixels[(y * 8 + x) * 4] = (byte)(x < 4 ? 0 : 255);
        var up = new float[3 * 32 * 32];
        resizer.Resize(bars, 32, up, 1, 0);
        Assert.Equal(0f, up[5 * 32], 5);
        Assert.Equal(1f, up[5 * 32 + 31], 5);
        for (var i = 1; i < 32; i++) Assert.True(up[5 * 32 + i] >= up[5 * 32 + i - 1]);
        var mirrored = new float[3 * 32 * 32];
        resizer.Resize(bars, 32, mirrored, 1, 0, mirror: true);
        for (var i = 0; i < 32; i++) Assert.Equal(up[5 * 32 + i], mirrored[5 * 32 + 31 - i], 5);
    }
}
