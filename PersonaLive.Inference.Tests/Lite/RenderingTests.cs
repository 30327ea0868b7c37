using System.Numerics;
using PersonaLive.Inference.Imaging;
using PersonaLive.Inference.Lite;

namespace PersonaLive.Inference.Tests.Lite;

public sealed class RenderingTests
{
    private static RgbaImage Checker(int size)
    {
        var img = new RgbaImage(size, size);
        var p = img.Pixels;
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                var o = (y * size + x) * 4;
                p[o] = (byte)(x * 255 / (size - 1));
                p[o + 1] = (byte)(y * 255 / (size - 1));
                p[o + 2] = (byte)((x / 8 + y / 8) % 2 * 255);
                p[o + 3] = 255;
            }
        return img;
    }

    [Fact]
    public void IdentityMeshReproducesTheSourceAndCoversEveryPixel()
    {
        using var src = Checker(64);
        var verts = new List<Vector2>();
        for (var y = 0; y <= 64; y += 16) for (var x = 0; x <= 64; x += 16) verts.Add(new(x, y));
        verts.Add(new(23.3f, 17.9f));
        var tris = Delaunay.Triangulate(verts).SelectMany(t => new[] { t.A, t.B, t.C }).ToArray();
        using var dst = new RgbaImage(64, 64); // all zero: any uncovered pixel keeps alpha 0
        MeshRasterizer.Render(src, [.. verts], [.. verts], tris, dst);
        for (var i = 0; i < src.Pixels.Length; i++)
            Assert.True(Math.Abs(src.Pixels[i] - dst.Pixels[i]) <= 1, $"byte {i}: {src.Pixels[i]} vs {dst.Pixels[i]}");
    }

    [Fact]
    public void TranslatedMeshShiftsTheImage()
    {
        using var src = Checker(64);
        Vector2[] s = [new(0, 0), new(64, 0), new(64, 64), new(0, 64)];
        Vector2[] d = [.. s.Select(v => v + new Vector2(5, 3))];
        int[] tris = [0, 1, 2, 0, 2, 3];
        using var dst = new RgbaImage(64, 64);
        MeshRasterizer.Render(src, s, d, tris, dst);
        for (var y = 3; y < 64; y++)
            for (var x = 5; x < 64; x++)
                for (var c = 0; c < 4; c++)
                    Assert.Equal(src.Pixels[((y - 3) * 64 + x - 5) * 4 + c], dst.Pixels[(y * 64 + x) * 4 + c]);
        Assert.Equal(0, dst.Pixels[(1 * 64 + 1) * 4 + 3]); // uncovered corner untouched
    }

    /// <summary>
    /// The surround is drawn row by row, one run per grid cell; every pixel must show the portrait where
    /// <see cref="SurroundField.SourceAt"/> (which the seam band relies on) says its centre maps to.
    /// A gradient texture (red = 4x, green = 4y) reads the sampled position back.
    /// </summary>
    [Fact]
    public void SurroundRowsSampleWhereSourceAtSays()
    {
        const int size = 64;
        using var texture = new RgbaImage(size, size);
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
                (texture.Pixels[(y * size + x) * 4], texture.Pixels[(y * size + x) * 4 + 1], texture.Pixels[(y * size + x) * 4 + 3]) = ((byte)(4 * x), (byte)(4 * y), 255);
        var field = new SurroundField(size);
        for (var n = 0; n < field.Nodes.Length; n++)
            field.Sources[n] = field.Nodes[n] + new Vector2(2 * MathF.Sin(field.Nodes[n].Y / 9), 2 * MathF.Cos(field.Nodes[n].X / 7));
        using var output = new RgbaImage(size, size);
        field.Render(texture, output);
        for (var y = 4; y < size - 4; y++)
            for (var x = 4; x < size - 4; x++)
            {
                var expected = field.SourceAt(new Vector2(x + 0.5f, y + 0.5f)) - new Vector2(0.5f);
                var o = (y * size + x) * 4;
                Assert.InRange(output.Pixels[o] / 4f, expected.X - 0.3f, expected.X + 0.3f);
                Assert.InRange(output.Pixels[o + 1] / 4f, expected.Y - 0.3f, expected.Y + 0.3f);
            }
    }

    [Fact]
    public void MouthFillPaintsTeethOverADarkCavityInsideTheLipsOnly()
    {
        using var img = new RgbaImage(60, 60);
        img.Pixels.Fill(200);
        Vector2[] poly = [new(10, 20), new(50, 20), new(50, 40), new(10, 40)];
        MouthFill.Fill(img, poly, 1f);
        int At(int x, int y) => img.Pixels[(y * 60 + x) * 4];
        Assert.True(At(30, 30) < 70, $"the cavity's depth is dark ({At(30, 30)})");
        Assert.True(At(30, 23) > 140, $"upper teeth hang from the upper lip ({At(30, 23)})");
        Assert.True(At(12, 23) < At(30, 23) - 60, "teeth fade out towards the corners");
        Assert.True(At(30, 21) < At(30, 23), "the upper lip shades the teeth's root");
        Assert.InRange(At(30, 20), 60, 199); // the lip border is soft: half blended, neither untouched nor fully painted
        Assert.Equal(200, At(5, 30));
        Assert.Equal(200, At(30, 44));
    }

    [Fact]
    public void MouthFillPaintsNothingAtZeroOpacityOrOnAThinGapsTeeth()
    {
        using var img = new RgbaImage(60, 60);
        img.Pixels.Fill(200);
        Vector2[] poly = [new(10, 20), new(50, 20), new(50, 40), new(10, 40)];
        MouthFill.Fill(img, poly, 0f);
        Assert.All(img.Pixels.ToArray(), b => Assert.Equal(200, b));
        // A 2-pixel gap (lips barely apart) shows a dark line, never a white band of teeth.
        Vector2[] thin = [new(10, 30), new(50, 30), new(50, 32), new(10, 32)];
        MouthFill.Fill(img, thin, 1f);
        Assert.True(img.Pixels[(31 * 60 + 30) * 4] < 140, "a thin gap reads as a dark lip line");
    }
}
