using System.Numerics;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Benchmarks;

/// <summary>
/// The two artefact scores of <c>bench lite-quality</c>. Tearing: the engine renders a coordinate texture
/// (red = x/2, green = y/2 of the portrait pixel) through its current warp, which tells where each output
/// pixel came from; <see cref="TearScore"/> counts holes, skin fragments and notches (jumps of the warp along
/// the face outline) in it. Duplication: how much of
/// the prepared portrait outside the photo carries readable texture (a mirrored or tiled copy does, a
/// clamped-and-blurred fill does not).
/// </summary>
public static class WarpScores
{
    /// <summary>Face outline (MediaPipe silhouette), in order around the face.</summary>
    public static readonly int[] FaceOval =
        [10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109];

    /// <summary>A 512x512 texture whose pixel (x, y) holds (x/2, y/2, 0).</summary>
    public static RgbaImage CoordinateTexture(int size)
    {
        var t = new RgbaImage(size, size);
        var px = t.Pixels;
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                var o = (y * size + x) * 4;
                px[o] = (byte)(x * 255 / (size - 1));
                px[o + 1] = (byte)(y * 255 / (size - 1));
                px[o + 3] = 255;
            }
        return t;
    }

    /// <summary>Half-width (output pixels) of the band along the output face outline where <see cref="TearScore"/> looks for notches.</summary>
    public const float NotchBand = 6;
    /// <summary>A source jump (portrait pixels) between neighbouring output pixels above this is a tear in the warp.</summary>
    public const float NotchJump = 10;

    /// <summary>
    /// Tearing, two fractions added: (1) torn area, pixels well inside the output face whose source lies outside the
    /// portrait's face (a hole showing hair or background) or well outside it whose source lies deep inside (a skin
    /// fragment on the hair), over the output face area; (2) notches, pixels in a band of <see cref="NotchBand"/>
    /// along the output face outline where the warp jumps by more than <see cref="NotchJump"/> portrait pixels to
    /// a neighbour, over the band's pixels. A continuous warp scores 0 on both; a sawtooth outline, whose teeth are
    /// too shallow to count as area, shows in the second, and so does an unblended seam between the face mesh
    /// and what surrounds it.
    /// </summary>
    public static double TearScore(RgbaImage sourceMap, ReadOnlySpan<Vector2> portraitOval, ReadOnlySpan<Vector2> outputOval)
    {
        const float Tolerance = 4; // pixels: the coordinate texture resolves 2 px, bilinear edges blur one more
        var size = sourceMap.Width;
        var scale = (size - 1) / 255f;
        var px = sourceMap.Pixels;
        long area = 0, torn = 0, band = 0, notched = 0;
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
            {
                var p = new Vector2(x + 0.5f, y + 0.5f);
                var o = (y * size + x) * 4;
                var src = new Vector2(px[o] * scale + 0.5f, px[o + 1] * scale + 0.5f);
                var inOut = SignedDistance(outputOval, p);
                if (inOut > 0) area++;
                var inSrc = SignedDistance(portraitOval, src);
                if (inOut > Tolerance && inSrc < -Tolerance) torn++;
                else if (inOut < -3 * Tolerance && inSrc > 3 * Tolerance) torn++;
                if (MathF.Abs(inOut) > NotchBand || x + 1 >= size || y + 1 >= size) continue;
                band++;
                var jump = Math.Max(Math.Abs(px[o] - px[o + 4]) + Math.Abs(px[o + 1] - px[o + 5]),
                    Math.Abs(px[o] - px[o + 4 * size]) + Math.Abs(px[o + 1] - px[o + 4 * size + 1])) * scale;
                if (jump > NotchJump) notched++;
            }
        return (area == 0 ? 0 : (double)torn / area) + (band == 0 ? 0 : (double)notched / band);
    }

    /// <summary>Fraction of the portrait's out-of-photo pixels (beyond a 4 px band) with visible texture.</summary>
    public static double DuplicateScore(RgbaImage portrait, Affine2 portraitToPhoto, int photoWidth, int photoHeight)
    {
        const int Band = 4, Threshold = 12;
        var px = portrait.Pixels;
        int w = portrait.Width, h = portrait.Height;
        long outside = 0, textured = 0;
        for (var y = 0; y < h - 1; y++)
            for (var x = 0; x < w - 1; x++)
            {
                var (sx, sy) = portraitToPhoto.Apply(x + 0.5f, y + 0.5f);
                var scale = MathF.Sqrt(MathF.Abs(portraitToPhoto.A * portraitToPhoto.D - portraitToPhoto.B * portraitToPhoto.C));
                var beyond = MathF.Max(MathF.Max(-sx, sx - photoWidth), MathF.Max(-sy, sy - photoHeight)) / scale;
                if (beyond < Band) continue;
                outside++;
                var o = (y * w + x) * 4;
                var g = Math.Abs(Luma(px, o) - Luma(px, o + 4)) + Math.Abs(Luma(px, o) - Luma(px, o + 4 * w));
                if (g > Threshold) textured++;
            }
        return outside == 0 ? 0 : (double)textured / outside;
    }

    private static int Luma(Span<byte> px, int o) => (px[o] * 77 + px[o + 1] * 150 + px[o + 2] * 29) >> 8;

    /// <summary>Distance to the polygon outline, positive inside (even-odd rule).</summary>
    public static float SignedDistance(ReadOnlySpan<Vector2> polygon, Vector2 p)
    {
        var inside = false;
        var best = float.MaxValue;
        for (int i = 0, j = polygon.Length - 1; i < polygon.Length; j = i++)
        {
            Vector2 a = polygon[j], b = polygon[i];
            if ((a.Y > p.Y) != (b.Y > p.Y) && p.X < (b.X - a.X) * (p.Y - a.Y) / (b.Y - a.Y) + a.X) inside = !inside;
            var ab = b - a;
            var t = Math.Clamp(Vector2.Dot(p - a, ab) / MathF.Max(ab.LengthSquared(), 1e-6f), 0, 1);
            best = MathF.Min(best, Vector2.DistanceSquared(p, a + t * ab));
        }
        var d = MathF.Sqrt(best);
        return inside ? d : -d;
    }
}
