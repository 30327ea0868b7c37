using System.Numerics;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Lite;

/// <summary>
/// Paints the inside of an opened mouth (the inner-lip polygon) where the warped portrait has only
/// stretched lip texture. Works in the mouth's own frame (across = corner to corner, down = from the upper
/// to the lower lip), column by column: upper teeth hang from the upper lip with a fixed height relative
/// to the mouth's width (so a wider opening shows more cavity, not taller teeth), shaded by the lip's
/// shadow at their root and towards the corners; below them the oral cavity is lit near the lips and dark
/// in its depth, with the tongue rising at the bottom of a wide opening. Every edge is soft: the lip
/// border fades over a pixel or two and the teeth melt into the cavity. Colours come from the portrait
/// (<see cref="MouthPalette"/>); the whole is blended at <c>alpha</c> so it fades in as the mouth opens.
/// </summary>
public static class MouthFill
{
    /// <summary>Visible height of the upper teeth as a share of the mouth's width, at most <see cref="MaxTeethShare"/> of the gap.</summary>
    public const float TeethHeight = 0.13f, MaxTeethShare = 0.38f;

    /// <summary>Fills a mouth lying horizontally, with <see cref="MouthPalette.Default"/>.</summary>
    public static void Fill(RgbaImage target, ReadOnlySpan<Vector2> polygon, float alpha) =>
        Fill(target, polygon, Vector2.UnitX, MouthPalette.Default, alpha);

    /// <param name="target">Image painted in place.</param>
    /// <param name="polygon">Inner lip contour (any start, either winding).</param>
    /// <param name="across">Direction from the subject's right mouth corner to the left (the eye line).</param>
    /// <param name="palette">Colours taken from the portrait.</param>
    /// <param name="alpha">Overall opacity, 0 (nothing) to 1.</param>
    public static void Fill(RgbaImage target, ReadOnlySpan<Vector2> polygon, Vector2 across, MouthPalette palette, float alpha)
    {
        if (polygon.Length < 3 || alpha <= 0) return;
        across = Vector2.Normalize(across);
        var down = new Vector2(-across.Y, across.X);
        var centre = Vector2.Zero;
        foreach (var p in polygon) centre += p;
        centre /= polygon.Length;
        Span<Vector2> local = stackalloc Vector2[polygon.Length];
        float minU = float.MaxValue, maxU = float.MinValue;
        Vector2 lo = new(float.MaxValue), hi = new(float.MinValue);
        for (var k = 0; k < polygon.Length; k++)
        {
            var d = polygon[k] - centre;
            local[k] = new Vector2(Vector2.Dot(d, across), Vector2.Dot(d, down));
            minU = MathF.Min(minU, local[k].X);
            maxU = MathF.Max(maxU, local[k].X);
            lo = Vector2.Min(lo, polygon[k]);
            hi = Vector2.Max(hi, polygon[k]);
        }
        var width = MathF.Max(maxU - minU, 1);
        var midU = (minU + maxU) / 2;
        var teethHeight = TeethHeight * width;
        var px = target.Pixels;
        int x0 = Math.Max(0, (int)lo.X - 1), x1 = Math.Min(target.Width - 1, (int)hi.X + 1);
        int y0 = Math.Max(0, (int)lo.Y - 1), y1 = Math.Min(target.Height - 1, (int)hi.Y + 1);
        for (var y = y0; y <= y1; y++)
            for (var x = x0; x <= x1; x++)
            {
                var d = new Vector2(x + 0.5f, y + 0.5f) - centre;
                var q = new Vector2(Vector2.Dot(d, across), Vector2.Dot(d, down));
                var edge = SignedDistance(local, q, out var top, out var bottom);
                var gap = bottom - top;
                if (edge <= -0.7f || gap <= 0) continue;
                var soft = Math.Clamp(0.08f * gap, 0.7f, 1.2f);
                var a = alpha * SmoothStep(-0.7f, soft, edge);
                if (a <= 0.004f) continue;
                var u = (q.X - midU) / (width / 2);
                var u2 = MathF.Min(u * u, 1);
                float fromTop = q.Y - top, fromBottom = bottom - q.Y;

                // Cavity: lit near the lips, dark in the depth, darker towards the corners.
                var depth = SmoothStep(0, MathF.Max(0.15f * gap, 1.2f), MathF.Min(fromTop, fromBottom));
                var colour = Vector3.Lerp(palette.Rim, palette.Cavity, depth) * (1 - 0.35f * u2);
                // Tongue: the lower part of a wide opening, centred.
                var tongue = SmoothStep(0.7f, 1f, fromTop / gap) * SmoothStep(0.12f * width, 0.3f * width, gap) * (1 - SmoothStep(0.3f, 0.8f, MathF.Abs(u)));
                colour = Vector3.Lerp(colour, palette.Tongue * (0.75f + 0.25f * SmoothStep(0, 3, fromBottom)), 0.6f * tongue);
                // Upper teeth: hang from the upper lip, fade out towards the corners and in a thin gap.
                var height = MathF.Min(teethHeight, MaxTeethShare * gap);
                var teeth = (1 - SmoothStep(height - 1.2f, height + 0.8f, fromTop)) * (1 - SmoothStep(0.65f, 0.95f, MathF.Abs(u))) * SmoothStep(2.5f, 7f, gap);
                if (teeth > 0)
                {
                    var shade = (0.62f + 0.38f * SmoothStep(0, 2.5f, fromTop)) * (1 - 0.3f * u2) * (1 - 0.12f * SmoothStep(0.4f * height, height, fromTop));
                    colour = Vector3.Lerp(colour, palette.Teeth * shade, teeth);
                }
                var o = (y * target.Width + x) * 4;
                px[o] = Blend(px[o], colour.X, a);
                px[o + 1] = Blend(px[o + 1], colour.Y, a);
                px[o + 2] = Blend(px[o + 2], colour.Z, a);
            }
    }

    private static byte Blend(byte under, float over, float a) => (byte)Math.Clamp(under + (over - under) * a + 0.5f, 0, 255);

    /// <summary>
    /// Distance from <paramref name="q"/> to the polygon's outline (positive inside), and the polygon's first and
    /// last crossing (in v) of the vertical line through q: the upper and lower lip in this column.
    /// </summary>
    private static float SignedDistance(ReadOnlySpan<Vector2> poly, Vector2 q, out float top, out float bottom)
    {
        var inside = false;
        var best = float.MaxValue;
        top = float.MaxValue;
        bottom = float.MinValue;
        for (int i = 0, j = poly.Length - 1; i < poly.Length; j = i++)
        {
            Vector2 a = poly[j], b = poly[i];
            if ((a.X > q.X) != (b.X > q.X))
            {
                var v = a.Y + (q.X - a.X) * (b.Y - a.Y) / (b.X - a.X);
                top = MathF.Min(top, v);
                bottom = MathF.Max(bottom, v);
                if (q.Y < v) inside = !inside;
            }
            var ab = b - a;
            var t = Math.Clamp(Vector2.Dot(q - a, ab) / MathF.Max(ab.LengthSquared(), 1e-6f), 0, 1);
            best = MathF.Min(best, Vector2.DistanceSquared(q, a + t * ab));
        }
        var dist = MathF.Sqrt(best);
        return inside ? dist : -dist;
    }

    private static float SmoothStep(float a, float b, float x)
    {
        var t = Math.Clamp((x - a) / MathF.Max(b - a, 1e-6f), 0, 1);
        return t * t * (3 - 2 * t);
    }
}
