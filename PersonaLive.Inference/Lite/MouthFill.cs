using System.Numerics;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Lite;

/// <summary>
/// Paints the inside of an opened mouth (the inner-lip polygon) where the portrait has no texture:
/// upper teeth in the top band, a dark cavity below shading to a reddish tongue, darker towards the
/// corners, with soft left/right edges. Blended at <c>alpha</c> so it fades in as the mouth opens.
/// </summary>
public static class MouthFill
{
    public const float TeethBand = 0.22f;

    public static void Fill(RgbaImage target, ReadOnlySpan<Vector2> polygon, float alpha)
    {
        if (polygon.Length < 3 || alpha <= 0) return;
        float minY = float.MaxValue, maxY = float.MinValue, minX = float.MaxValue, maxX = float.MinValue;
        foreach (var p in polygon)
        {
            minY = MathF.Min(minY, p.Y); maxY = MathF.Max(maxY, p.Y);
            minX = MathF.Min(minX, p.X); maxX = MathF.Max(maxX, p.X);
        }
        var px = target.Pixels;
        Span<float> xs = stackalloc float[polygon.Length];
        var y0 = Math.Max(0, (int)MathF.Ceiling(minY - 0.5f));
        var y1 = Math.Min(target.Height, (int)MathF.Ceiling(maxY - 0.5f));
        var height = MathF.Max(maxY - minY, 1e-3f);
        var centreX = (minX + maxX) / 2;
        var halfWidth = MathF.Max((maxX - minX) / 2, 1e-3f);
        for (var y = y0; y < y1; y++)
        {
            var yc = y + 0.5f;
            var n = 0;
            for (int i = 0, j = polygon.Length - 1; i < polygon.Length; j = i++)
            {
                var p = polygon[i];
                var q = polygon[j];
                if ((p.Y <= yc) == (q.Y <= yc)) continue;
                xs[n++] = p.X + (yc - p.Y) * (q.X - p.X) / (q.Y - p.Y);
            }
            xs[..n].Sort();
            var t = (yc - minY) / height;
            var (r, g, b) = Colour(t);
            for (var k = 0; k + 1 < n; k += 2)
            {
                var xa = Math.Max(0, (int)MathF.Floor(xs[k]));
                var xb = Math.Min(target.Width, (int)MathF.Ceiling(xs[k + 1]));
                for (var x = xa; x < xb; x++)
                {
                    var xc = x + 0.5f;
                    var coverage = Math.Clamp(MathF.Min(xc - xs[k] + 0.5f, xs[k + 1] - xc + 0.5f), 0, 1);
                    var u = (xc - centreX) / halfWidth;
                    var shade = 1 - 0.45f * Math.Min(u * u, 1);
                    var a = alpha * coverage;
                    var o = (y * target.Width + x) * 4;
                    px[o] = (byte)(px[o] + (r * shade - px[o]) * a);
                    px[o + 1] = (byte)(px[o + 1] + (g * shade - px[o + 1]) * a);
                    px[o + 2] = (byte)(px[o + 2] + (b * shade - px[o + 2]) * a);
                }
            }
        }
    }

    /// <summary>Colour at relative depth <paramref name="t"/> (0 = upper lip, 1 = lower lip).</summary>
    private static (float R, float G, float B) Colour(float t)
    {
        (float, float, float) teethTop = (232, 226, 216), teethBottom = (196, 188, 178);
        (float, float, float) cavity = (42, 14, 17), tongue = (112, 48, 52);
        if (t < TeethBand) return Lerp(teethTop, teethBottom, t / TeethBand);
        if (t < TeethBand + 0.1f) return Lerp(teethBottom, cavity, (t - TeethBand) / 0.1f);
        if (t < 0.6f) return cavity;
        return Lerp(cavity, tongue, (t - 0.6f) / 0.4f);
    }

    private static (float, float, float) Lerp((float R, float G, float B) a, (float R, float G, float B) b, float f) =>
        (a.R + (b.R - a.R) * f, a.G + (b.G - a.G) * f, a.B + (b.B - a.B) * f);
}
