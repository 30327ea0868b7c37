using System.Numerics;
using PersonaLive.Inference.Faces;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Lite;

/// <summary>
/// The colours of one closed eyelid, read off the portrait once: <see cref="Skin"/> per lid column and <see cref="Lash"/>,
/// the dark of the upper lash line. A column's skin is the lighter of two box averages, halfway between the first and
/// second ring above the lash line (the lid under the crease) and on the second ring (below the brow): eyeshadow and the
/// crease's shadow are darker than the skin around them, and a closed lid painted in their colour read as an open eye's
/// dark opening to the landmark model. That colour is then taken in the hue of the skin under the eye and never brighter
/// than it: on a made-up eye both boxes can fall on a pale shimmer, and a pale grey lid read as the white of an open eye.
/// A column still darker than the eye's median (eyeliner, a lash tip) takes the median.
/// <see cref="Below"/> is the lower lid's skin per column, read past the ring below the lower lid (the lower lid landmarks
/// can sit on the white of the eye, which then stayed as a pale crescent under a closed lid).
/// </summary>
public sealed record LidPalette(Vector3[] Skin, Vector3 Lash, Vector3[] Below)
{
    /// <summary>Reads the palette of the eye whose upper lid, first and second ring above it are given (MediaPipe indices).</summary>
    public static LidPalette Of(RgbaImage image, ReadOnlySpan<Vector3> p, int[] upper, int[] upper1, int[] upper2, int[] lower, int[] lower1)
    {
        var below = new Vector3[lower.Length];
        for (var k = 0; k < below.Length; k++) below[k] = Average(image, Vector2.Lerp(Xy(p[lower[k]]), Xy(p[lower1[k]]), 1.5f), 2);
        var skin = new Vector3[upper.Length];
        for (var k = 0; k < skin.Length; k++)
        {
            var lid = Average(image, Vector2.Lerp(Xy(p[upper1[k]]), Xy(p[upper2[k]]), 0.5f), 3);
            var brow = Average(image, Xy(p[upper2[k]]), 3);
            skin[k] = Luma(brow) > Luma(lid) ? brow : lid;
        }
        // The skin under the eye, in its hue, at the column's brightness but never brighter: a brow bone's highlighter or
        // a shimmering eyeshadow painted a pale grey oval that read as the white of an open eye.
        var cheek = below.OrderBy(Luma).ElementAt(below.Length / 2);
        for (var k = 0; k < skin.Length; k++) skin[k] = cheek * MathF.Min(Luma(skin[k]), Luma(cheek)) / MathF.Max(Luma(cheek), 1);
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
        return new LidPalette(skin, lash, below);
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
/// column by column: smooth lid skin of the portrait's own colour (<see cref="LidPalette"/>), opaque from the lower
/// lid up to the first ring above the lid and fading out towards the second ring (so the crease and any eyeshadow,
/// squeezed by the closing lid, go under skin too), shaded darker towards the lash line where the lid curves away,
/// and a soft dark lash line along the bottom that thins towards the corners. Only the last few per cent of the
/// width at each corner blend into the warped skin. The whole is blended by how far the lid is closed, so a
/// half-closed eye stays the mesh's.
/// </summary>
public static class LidFill
{
    /// <summary>Lid closure (0 open .. 1 shut) over which the paint fades in.</summary>
    public const float FadeFrom = 0.45f, FadeTo = 0.9f;
    /// <summary>
    /// Lash line thickness as a share of the eye's width. A hairline (0.045) left the closed lid a flat oval that the
    /// landmark model still read as an opening; a real shut eye's lashes make a band.
    /// </summary>
    public const float LashShare = 0.09f;
    /// <summary>
    /// How far the lash line sits below the lower lid landmarks, as a share of their dip below the line between the
    /// corners: those landmarks can sit on the white above the lid's real edge, and a lash line on them left a band of
    /// paint below it that the landmark model took for the eye's lower half. A real shut eye's lash line hangs in a
    /// curve well below the corners' line; at half the dip the landmark model read sample6's painted lid a third open
    /// (calibrated blink 0.33), at one and a half times it 0.27 (at none, 0.38).
    /// </summary>
    public const float LashDrop = 1.5f;
    /// <summary>
    /// How far past the second ring above the eye the paint fades out, as a share of the distance between the first and
    /// second ring: with the fade ending on the second ring the lid was an oval with a crisp top edge.
    /// </summary>
    public const float CreaseReach = 0.6f;
    /// <summary>Share of the eye's width at each corner over which the paint blends into the warped skin.</summary>
    public const float CornerShare = 0.1f;
    /// <summary>
    /// How far below the lower lid its skin is painted, as a share of the way to the ring below it (opaque to three
    /// quarters of this, then fading): the lower lid landmarks can sit on the white of the eye above the lid's real edge,
    /// and the white between them and the ring stayed as a pale crescent under the closed lid.
    /// </summary>
    public const float LowerCover = 1.3f;

    /// <summary>
    /// Paints one eye. <paramref name="above"/> and <paramref name="above2"/> are the first and second ring above the upper
    /// lid, <paramref name="lower"/> the lower lid and <paramref name="below"/> the ring below it, outer to inner corner in
    /// the same order, indices into <paramref name="targets"/> (output pixels); <paramref name="down"/> is the face's
    /// downward direction.
    /// </summary>
    public static void Fill(RgbaImage target, ReadOnlySpan<Vector2> targets, int outer, int inner, int[] above, int[] above2, int[] lower, int[] below,
        Vector2 down, LidPalette palette, float closure)
    {
        var alpha = SmoothStep(FadeFrom, FadeTo, closure);
        if (alpha <= 0) return;
        var a0 = targets[outer];
        var across = targets[inner] - a0;
        var width = across.Length();
        if (width < 2) return;
        across /= width;
        down = Vector2.Normalize(down - Vector2.Dot(down, across) * across);
        // In the eye's frame: the lid (outer corner, the first ring above, the inner corner, the lower lid back), the same
        // up to the second ring, and the band from the lower lid down to the ring below it.
        Span<Vector2> lid = stackalloc Vector2[2 + above.Length + lower.Length];
        Span<Vector2> crease = stackalloc Vector2[2 + above2.Length + lower.Length];
        Span<Vector2> under = stackalloc Vector2[2 + lower.Length + below.Length];
        Outline(lid, targets, a0, across, down, width, above, lower);
        Outline(crease, targets, a0, across, down, width, above2, lower);
        Outline(under, targets, a0, across, down, width, lower, below);
        Vector2 lo = new(float.MaxValue), hi = new(float.MinValue);
        foreach (var q in crease) Extend(q);
        foreach (var q in lid) Extend(q);
        foreach (var q in under) Extend(q);
        var lash = MathF.Max(LashShare * width, 1f);
        var px = target.Pixels;
        int x0 = Math.Max(0, (int)(lo.X - lash) - 2), x1 = Math.Min(target.Width - 1, (int)(hi.X + lash) + 2);
        var reach = CreaseReach * width;
        x0 = Math.Max(0, x0 - (int)reach);
        x1 = Math.Min(target.Width - 1, x1 + (int)reach);
        int y0 = Math.Max(0, (int)(lo.Y - lash - reach) - 2), y1 = Math.Min(target.Height - 1, (int)(hi.Y + lash) + 2);
        for (var y = y0; y <= y1; y++)
            for (var x = x0; x <= x1; x++)
            {
                var q = Local(new Vector2(x + 0.5f, y + 0.5f));
                var u = q.X / width;
                if (u <= 0 || u >= 1 || !Span(lid, q.X, out var top, out var bottom)) continue;
                var top2 = Span(crease, q.X, out var t2, out _) ? MathF.Min(t2, top) : top;
                top2 -= CreaseReach * (top - top2);
                var depth = MathF.Max(Span(under, q.X, out _, out var b1) ? LowerCover * (b1 - bottom) : 0, lash);
                // The lash line sits below the lower lid landmarks by a share of their dip below the corners' line.
                var drop = LashDrop * MathF.Max(bottom, 0);
                bottom += drop;
                depth = MathF.Max(depth - drop, lash);
                var fromBottom = bottom - q.Y;
                // Between the second ring above and part of the way to the ring below the lower lid.
                if (fromBottom < -depth || q.Y < top2) continue;
                var corners = alpha * SmoothStep(0f, CornerShare, u) * SmoothStep(0f, CornerShare, 1 - u);
                var middle = SmoothStep(0.03f, 0.35f, MathF.Min(u, 1 - u));
                var thickness = lash * (0.5f + 0.5f * middle);
                var lashWeight = (1 - SmoothStep(0.25f * thickness, thickness, MathF.Abs(fromBottom + 0.15f * thickness))) * (0.6f + 0.4f * middle);
                Vector3 skin;
                float a;
                if (fromBottom >= 0)
                {
                    // The lid: opaque up to the first ring, fading out past the second; darker where it curves into the lash line.
                    var t = Math.Clamp(fromBottom / MathF.Max(bottom - top, 0.5f), 0, 1);
                    skin = SkinAt(palette.Skin, u) * (0.82f + 0.18f * SmoothStep(0f, 0.7f, t));
                    a = corners * (q.Y >= top ? 1 : SmoothStep(top2, top, q.Y));
                }
                else
                {
                    // Under the lash line: the lower lid's skin over whatever white the lower lid landmarks left, fading out.
                    var s = -fromBottom / depth;
                    skin = SkinAt(palette.Below, u) * (0.9f + 0.1f * s);
                    a = corners * MathF.Max(lashWeight, 1 - SmoothStep(0.75f, 1f, s));
                }
                if (a <= 0.004f) continue;
                var colour = Vector3.Lerp(skin, palette.Lash, lashWeight);
                var o = (y * target.Width + x) * 4;
                px[o] = Blend(px[o], colour.X, a);
                px[o + 1] = Blend(px[o + 1], colour.Y, a);
                px[o + 2] = Blend(px[o + 2], colour.Z, a);
            }

        Vector2 Local(Vector2 w) => new(Vector2.Dot(w - a0, across), Vector2.Dot(w - a0, down));

        void Extend(Vector2 q)
        {
            var w = a0 + q.X * across + q.Y * down;
            lo = Vector2.Min(lo, w);
            hi = Vector2.Max(hi, w);
        }
    }

    /// <summary>Corner, <paramref name="top"/> ring, corner, lower lid back, in the eye's frame (origin at the outer corner).</summary>
    private static void Outline(Span<Vector2> poly, ReadOnlySpan<Vector2> targets, Vector2 a0, Vector2 across, Vector2 down, float width, int[] top, int[] lower)
    {
        var n = 0;
        poly[n++] = Vector2.Zero;
        foreach (var i in top) poly[n++] = Local(targets[i]);
        poly[n++] = new Vector2(width, 0);
        for (var k = lower.Length - 1; k >= 0; k--) poly[n++] = Local(targets[lower[k]]);

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
