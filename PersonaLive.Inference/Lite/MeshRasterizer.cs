using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Lite;

/// <summary>
/// Texture-maps a triangle mesh: every destination triangle is filled scanline by scanline (pixel centres,
/// half-open spans so neighbouring triangles share edges without gaps or double hits), each pixel taking
/// the bilinearly filtered source colour through the triangle's affine map: each span is one
/// <see cref="BilinearSpan"/> run (fixed point, eight pixels at a time with AVX2); no allocation.
/// </summary>
public static class MeshRasterizer
{
    public static void Render(RgbaImage source, ReadOnlySpan<Vector2> src, ReadOnlySpan<Vector2> dst, ReadOnlySpan<int> triangles, RgbaImage target)
    {
        var s = MemoryMarshal.Cast<byte, uint>(source.Pixels);
        var d = MemoryMarshal.Cast<byte, uint>(target.Pixels);
        for (var t = 0; t + 2 < triangles.Length; t += 3)
        {
            int i0 = triangles[t], i1 = triangles[t + 1], i2 = triangles[t + 2];
            Triangle(s, source.Width, source.Height, src[i0], src[i1], src[i2], d, target.Width, target.Height, dst[i0], dst[i1], dst[i2]);
        }
    }

    /// <summary>
    /// Renders a 3-D mesh as seen from the front: triangles facing away (their winding under the head pose alone,
    /// <paramref name="posed"/>, opposite to their winding at rest, <paramref name="rest"/>) are skipped, the rest are drawn far to near by mean <paramref name="depth"/>
    /// (larger = farther), so parts turning away are covered by nearer ones instead of folding over them.
    /// <paramref name="keys"/> and <paramref name="order"/> are scratch space of one entry per triangle.
    /// </summary>
    public static void RenderDepthSorted(RgbaImage source, ReadOnlySpan<Vector2> src, ReadOnlySpan<Vector2> rest, ReadOnlySpan<Vector2> posed, ReadOnlySpan<Vector2> dst, ReadOnlySpan<float> depth,
        ReadOnlySpan<int> triangles, Span<float> keys, Span<int> order, RgbaImage target)
    {
        var s = MemoryMarshal.Cast<byte, uint>(source.Pixels);
        var d = MemoryMarshal.Cast<byte, uint>(target.Pixels);
        var count = 0;
        for (var t = 0; t + 2 < triangles.Length; t += 3)
        {
            int i0 = triangles[t], i1 = triangles[t + 1], i2 = triangles[t + 2];
            if (Polygon.Cross(rest[i0], rest[i1], rest[i2]) * Polygon.Cross(posed[i0], posed[i1], posed[i2]) <= 0) continue; // facing away
            keys[count] = -(depth[i0] + depth[i1] + depth[i2]);
            order[count++] = t;
        }
        keys[..count].Sort(order[..count]);
        for (var k = 0; k < count; k++)
        {
            var t = order[k];
            int i0 = triangles[t], i1 = triangles[t + 1], i2 = triangles[t + 2];
            Triangle(s, source.Width, source.Height, src[i0], src[i1], src[i2], d, target.Width, target.Height, dst[i0], dst[i1], dst[i2]);
        }
    }

    private static void Triangle(ReadOnlySpan<uint> s, int sw, int sh, Vector2 s0, Vector2 s1, Vector2 s2,
        Span<uint> d, int dw, int dh, Vector2 d0, Vector2 d1, Vector2 d2)
    {
        var e1 = d1 - d0;
        var e2 = d2 - d0;
        var det = e1.X * e2.Y - e1.Y * e2.X;
        if (MathF.Abs(det) < 1e-6f) return;
        var f1 = s1 - s0;
        var f2 = s2 - s0;
        // a = (e2.y*dx - e2.x*dy)/det, b = (-e1.y*dx + e1.x*dy)/det, src = s0 + a f1 + b f2
        float ax = e2.Y / det, ay = -e2.X / det, bx = -e1.Y / det, by = e1.X / det;
        var mxx = ax * f1.X + bx * f2.X;   // d(src.x)/dx
        var mxy = ay * f1.X + by * f2.X;   // d(src.x)/dy
        var myx = ax * f1.Y + bx * f2.Y;
        var myy = ay * f1.Y + by * f2.Y;
        // Source pixel centres sit at integers after subtracting 0.5.
        var cx = s0.X - mxx * d0.X - mxy * d0.Y - 0.5f;
        var cy = s0.Y - myx * d0.X - myy * d0.Y - 0.5f;

        var minY = MathF.Min(d0.Y, MathF.Min(d1.Y, d2.Y));
        var maxY = MathF.Max(d0.Y, MathF.Max(d1.Y, d2.Y));
        var y0 = Math.Max(0, (int)MathF.Ceiling(minY - 0.5f));
        var y1 = Math.Min(dh, (int)MathF.Ceiling(maxY - 0.5f));
        for (var y = y0; y < y1; y++)
        {
            var yc = y + 0.5f;
            float xl = float.MaxValue, xr = float.MinValue;
            Edge(d0, d1, yc, ref xl, ref xr);
            Edge(d1, d2, yc, ref xl, ref xr);
            Edge(d2, d0, yc, ref xl, ref xr);
            if (xl >= xr) continue;
            var x0 = Math.Max(0, (int)MathF.Ceiling(xl - 0.5f));
            var x1 = Math.Min(dw, (int)MathF.Ceiling(xr - 0.5f));
            if (x0 >= x1) continue;
            var sx = mxx * (x0 + 0.5f) + mxy * yc + cx;
            var sy = myx * (x0 + 0.5f) + myy * yc + cy;
            BilinearSpan.Sample(s, sw, sh, d.Slice(y * dw, dw), x0, x1, sx, sy, mxx, myx);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Edge(Vector2 p, Vector2 q, float yc, ref float xl, ref float xr)
    {
        // Canonical direction (lower y first) so a shared edge gives bit-identical crossings in both triangles.
        if (p.Y > q.Y || (p.Y == q.Y && p.X > q.X)) (p, q) = (q, p);
        if (yc < p.Y || yc >= q.Y) return;
        var x = p.X + (yc - p.Y) * (q.X - p.X) / (q.Y - p.Y);
        if (x < xl) xl = x;
        if (x > xr) xr = x;
    }
}
