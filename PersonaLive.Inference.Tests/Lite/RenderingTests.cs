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

    [Fact]
    public void MouthFillDarkensTheInsideOnly()
    {
        using var img = new RgbaImage(40, 40);
        img.Pixels.Fill(200);
        Vector2[] poly = [new(10, 15), new(30, 15), new(30, 25), new(10, 25)];
        MouthFill.Fill(img, poly, 1f);
        int At(int x, int y) => img.Pixels[(y * 40 + x) * 4];
        Assert.True(At(20, 21) < 80, "cavity is dark");
        Assert.True(At(20, 15) > 180, "teeth band is light");
        Assert.Equal(200, At(5, 20));
        Assert.Equal(200, At(20, 30));
    }
}
