using System.Numerics;
using PersonaLive.Inference.Faces;
using PersonaLive.Inference.Imaging;
using PersonaLive.Inference.Lite;

namespace PersonaLive.Inference.Tests.Lite;

/// <summary>
/// <see cref="LidFill"/> on a drawn eye: a white eye opening on skin, its lid closed onto the lower lid. A shut lid
/// must hide the white under skin with a dark lash line at the bottom, on either eye (their corners run in
/// opposite directions across the picture), and a lid that is barely closing must be left to the mesh.
/// </summary>
public sealed class LidFillTests
{
    private static readonly Vector3 Skin = new(180, 140, 120), Lash = new(40, 30, 30);

    /// <summary>An eye from x 20 to 80 (mirrored: 80 to 20) at y 50, ring above at y 35, lower lid at y 55 in the middle.</summary>
    private static (RgbaImage Image, Vector2[] Targets) Eye(bool mirrored)
    {
        var image = new RgbaImage(100, 100);
        var px = image.Pixels;
        for (var y = 0; y < 100; y++)
            for (var x = 0; x < 100; x++)
            {
                var white = MathF.Abs(x - 50) < 28 && MathF.Abs(y - 50) < 4.5f;
                var o = (y * 100 + x) * 4;
                (px[o], px[o + 1], px[o + 2], px[o + 3]) = white ? ((byte)240, (byte)240, (byte)240, (byte)255) : ((byte)Skin.X, (byte)Skin.Y, (byte)Skin.Z, (byte)255);
            }
        var targets = new Vector2[FaceLandmarker.PointCount];
        float X(float x) => mirrored ? 100 - x : x;
        targets[FaceRoi.RightEyeOuter] = new(X(20), 50);
        targets[FaceShape.RightInner] = new(X(80), 50);
        for (var k = 0; k < FaceShape.RightUpper1.Length; k++)
        {
            var x = 20 + 60f * (k + 1) / (FaceShape.RightUpper1.Length + 1);
            var bulge = 1 - MathF.Pow((x - 50) / 30, 2);
            targets[FaceShape.RightUpper1[k]] = new(X(x), 40 - 5 * bulge);
            targets[FaceShape.RightLower[k]] = new(X(x), 50 + 5 * bulge);
            targets[FaceShape.RightUpper2[k]] = new(X(x), 32 - 5 * bulge);
            targets[FaceShape.RightLower1[k]] = new(X(x), 58 + 5 * bulge);
        }
        return (image, targets);
    }

    private static float Luma(RgbaImage image, int x, int y)
    {
        var o = (y * image.Width + x) * 4;
        return 0.3f * image.Pixels[o] + 0.59f * image.Pixels[o + 1] + 0.11f * image.Pixels[o + 2];
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AShutLidCoversTheWhiteWithSkinAndALashLine(bool mirrored)
    {
        var (image, targets) = Eye(mirrored);
        using var _ = image;
        var palette = new LidPalette(Enumerable.Repeat(Skin, FaceShape.RightUpper1.Length).ToArray(), Lash, Enumerable.Repeat(Skin, FaceShape.RightLower.Length).ToArray());
        LidFill.Fill(image, targets, FaceRoi.RightEyeOuter, FaceShape.RightInner, FaceShape.RightUpper1, FaceShape.RightUpper2, FaceShape.RightLower, FaceShape.RightLower1, Vector2.UnitY, palette, 1f);
        var skinLuma = 0.3f * Skin.X + 0.59f * Skin.Y + 0.11f * Skin.Z;
        // Mid-lid, where the white was: skin now (a little darker towards the lash line, never the white).
        Assert.InRange(Luma(image, 50, 49), 0.6f * skinLuma, skinLuma + 8);
        Assert.InRange(Luma(image, 50, 46), 0.75f * skinLuma, skinLuma + 8);
        // The lash line is dark, below the lower lid landmarks by part of their dip below the corners (5 px here), with
        // lid skin between them.
        var lashY = (int)(55 + LidFill.LashDrop * 5 + 0.5f);
        Assert.True(Luma(image, 50, lashY) < 0.6f * skinLuma, $"lash line luma {Luma(image, 50, lashY):F0} at y {lashY}");
        Assert.InRange(Luma(image, 50, 53), 0.6f * skinLuma, skinLuma + 8);
        // Far outside the lid nothing changes.
        Assert.Equal(skinLuma, Luma(image, 50, 20), 1);
    }

    [Fact]
    public void ABarelyClosingLidIsLeftToTheMesh()
    {
        var (image, targets) = Eye(false);
        using var _ = image;
        var before = image.Pixels.ToArray();
        var palette = new LidPalette(Enumerable.Repeat(Skin, FaceShape.RightUpper1.Length).ToArray(), Lash, Enumerable.Repeat(Skin, FaceShape.RightLower.Length).ToArray());
        LidFill.Fill(image, targets, FaceRoi.RightEyeOuter, FaceShape.RightInner, FaceShape.RightUpper1, FaceShape.RightUpper2, FaceShape.RightLower, FaceShape.RightLower1, Vector2.UnitY, palette, LidFill.FadeFrom - 0.05f);
        Assert.Equal(before, image.Pixels.ToArray());
    }
}
