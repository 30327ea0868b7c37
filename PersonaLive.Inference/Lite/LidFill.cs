using System.Numerics;
using PersonaLive.Inference.Faces;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Lite;

/// <summary>
/// The colours of one closed eyelid, read off the portrait once: <see cref="Skin"/> per lid column (the lid skin
/// between the first and second ring above the lash line, box-averaged; a column darker than the eye's median, an
/// eyeliner or a lash tip, takes the median) and <see cref="Lash"/>, the dark of the upper lash line.
/// </summary>
public sealed record LidPalette(Vector3[] Skin, Vector3 Lash)
{
    /// <summary>Reads the palette of the eye whose upper lid, first and second ring above it are given (MediaPipe indices).</summary>
    public static LidPalette Of(RgbaImage image, ReadOnlySpan<Vector3> p, int[] upper, int[] upper1, int[] upper2)
    {
        var skin = new Vector3[upper.Length];
        for (var k = 0; k < skin.Length; k++) skin[k] = Average(image, Vector2.Lerp(Xy(p[upper1[k]]), Xy(p[upper2[k]]), 0.5f), 3);
        var median = skin.OrderBy(Luma).ElementAt(skin.Length / 2);
        for (var k = 0; k < skin.Length; k++)
            if (Luma(skin[k]) < 0.9f * Luma(median)) skin[k] = median;
        var line = new List<Vector3>();
        foreach (var i in upper)
            for (var dy = -2; dy <= 1; dy++)
                for (var dx = -1; dx <= 1; dx++) line.Add(Average(image, Xy(p[i]) + new Vector2(dx, dy), 0));
        var dark = line.OrderBy(Luma).Take(Math.Max(line.Count / 4, 1)).ToList();
        var lash = dark.Aggregate(Vector3.Zero, (a, b) => a + b) / dark.Count;
        // Never lighter than a shadow of the skin (a pale-lashed portrait still gets a visible line).
        if (Luma(lash) > 0.55f * Luma(median)) lash = median * 0.55f;
        return new LidPalette(skin, lash);
    }

    private static float Luma(Vector3 c) => 0.3f * c.X + 0.59f * c.Y + 0.11f * c.Z;

    private static Vector3 Average(RgbaImage image, Vector2 at, int radius)
    {
        var sum = Vector3.Zero;
        var n = 0;
        for (var dy = -radius; dy <= radius; dy++)
            for (var dx = -radius; dx <= radius; dx++)
            {
                int x = Math.Clamp((int)at.X + dx, 0, image.Width - 1), y = Math.Clamp((int)at.Y + dy, 0, image.Height - 1);
                var o = (y * image.Width + x) * 4;
                sum += new Vector3(image.Pixels[o], image.Pixels[o + 1], image.Pixels[o + 2]);
                n++;
            }
        return sum / n;
    }

    private static Vector2 Xy(Vector3 v) => new(v.X, v.Y);
}

/// <summary>
/// Paints a closing eyelid over the warped eye. The mesh alone closes a lid by stretching the thin band of skin
/// above the lash line over the eye, which shows as horizontal streaks (lashes, eyeliner, the crease drawn tall)
/// and lets the landmark model still see an eye. Here, in the eye's own frame (across = outer to inner corner),
/// column by column between the first ring above the lid (top) and the lower lid (bottom): smooth lid skin of the
/// portrait's own colour (<see cref="LidPalette"/>), shaded darker towards the lash line where the lid curves
/// away, and a soft dark lash line along the bottom. It fades into the warped skin towards the top and the
/// corners, and the whole is blended by how far the lid is closed, so a half-closed eye stays the mesh's.
/// </summary>
public static class LidFill
{
    /// <summary>Lid closure (0 open .. 1 shut) over which the paint fades in.</summary>
    public const float FadeFrom = 0.45f, FadeTo = 0.9f;
    /// <summary>Lash line thickness as a share of the eye's width.</summary>
    public const float LashShare = 0.04f;

    /// <summary>
    /// Paints one eye. <paramref name="above"/> is the first ring above the upper lid and <paramref name="lower"/> the lower
    /// lid, outer to inner corner in the same order, indices into <paramref name="targets"/> (output pixels);
    /// <paramref name="down"/> is the face's downward direction.
    /// </summary>
    public static void Fill(RgbaImage target, ReadOnlySpan<Vector2> targets, int outer, int inner, int[] above, int[] lower, Vector2 down, LidPalette palette, float closure)
    {
        var alpha = SmoothStep(FadeFrom, FadeTo, closure);
        if (alpha <= 0) return;
        var a0 = targets[outer];
        var across = targets[inner] - a0;
        var width = across.Length();
        if (width < 2) return;
        across /= width;
        down = Vector2.Normalize(down - Vector2.Dot(down, across) * across);
        // The lid region: outer corner, the ring above to the inner corner, the lower lid back, in the eye's frame.
        Span<Vector2> poly = stackalloc Vector2[2 + above.Length + lower.Length];
        var n = 0;
        poly[n++] = Vector2.Zero;
        foreach (var i in above) poly[n++] = Local(targets[i]);
        poly[n++] = new Vector2(width, 0);
        for (var k = lower.Length - 1; k >= 0; k--) poly[n++] = Local(targets[lower[k]]);
        Vector2 lo = new(float.MaxValue), hi = new(float.MinValue);
        foreach (var q in poly)
        {
            var w = a0 + q.X * across + q.Y * down;
            lo = Vector2.Min(lo, w);
            hi = Vector2.Max(hi, w);
        }
        var lash = MathF.Max(LashShare * width, 1f);
        var px = target.Pixels;
        int x0 = Math.Max(0, (int)lo.X - 2), x1 = Math.Min(target.Width - 1, (int)hi.X + 2);
        int y0 = Math.Max(0, (int)lo.Y - 2), y1 = Math.Min(target.Height - 1, (int)(hi.Y + lash) + 2);
        for (var y = y0; y <= y1; y++)
            for (var x = x0; x <= x1; x++)
            {
                var q = Local(new Vector2(x + 0.5f, y + 0.5f));
                var u = q.X / width;
                if (u <= 0 || u >= 1 || !Span(poly, q.X, out var top, out var bottom) || bottom - top < 0.5f) continue;
                var height = bottom - top;
                var fromBottom = bottom - q.Y;
                // Inside the lid, or within the lash line's width below its edge.
                if (fromBottom < -lash || q.Y < top) continue;
                var t = Math.Clamp(fromBottom / height, 0, 1);
                var fade = alpha * (1 - SmoothStep(0.6f, 1f, t)) * SmoothStep(0f, 0.12f, u) * SmoothStep(0f, 0.12f, 1 - u);
                if (fade <= 0.004f) continue;
                var skin = SkinAt(palette.Skin, u) * (0.8f + 0.2f * SmoothStep(0.05f, 0.6f, t));
                var lashWeight = (1 - SmoothStep(0.2f * lash, lash, MathF.Abs(fromBottom))) * (0.55f + 0.45f * SmoothStep(0.1f, 0.4f, MathF.Min(u, 1 - u)));
                var colour = Vector3.Lerp(skin, palette.Lash, lashWeight);
                // Below the lid's edge only the lash line is painted, fading out.
                var a = fromBottom < 0 ? fade * lashWeight : fade;
                var o = (y * target.Width + x) * 4;
                px[o] = Blend(px[o], colour.X, a);
                px[o + 1] = Blend(px[o + 1], colour.Y, a);
                px[o + 2] = Blend(px[o + 2], colour.Z, a);
            }

        Vector2 Local(Vector2 w) => new(Vector2.Dot(w - a0, across), Vector2.Dot(w - a0, down));
    }

    private static Vector3 SkinAt(Vector3[] skin, float u)
    {
        var f = Math.Clamp(u, 0, 1) * (skin.Length - 1);
        var k = Math.Min((int)f, skin.Length - 2);
        return Vector3.Lerp(skin[k], skin[k + 1], f - k);
    }

    /// <summary>First and last crossing (in the down direction) of the polygon with the line across = <paramref name="x"/>.</summary>
    private static bool Span(ReadOnlySpan<Vector2> poly, float x, out float top, out float bottom)
    {
        top = float.MaxValue;
        bottom = float.MinValue;
        for (int i = 0, j = poly.Length - 1; i < poly.Length; j = i++)
        {
            Vector2 a = poly[j], b = poly[i];
            if ((a.X > x) == (b.X > x)) continue;
            var v = a.Y + (x - a.X) * (b.Y - a.Y) / (b.X - a.X);
            top = MathF.Min(top, v);
            bottom = MathF.Max(bottom, v);
        }
        return bottom > top;
    }

    private static byte Blend(byte under, float over, float a) => (byte)Math.Clamp(under + (over - under) * a + 0.5f, 0, 255);

    private static float SmoothStep(float a, float b, float x)
    {
        var t = Math.Clamp((x - a) / MathF.Max(b - a, 1e-6f), 0, 1);
        return t * t * (3 - 2 * t);
    }
}
