using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Lite;

/// <summary>
/// Texture-maps a triangle mesh: every destination triangle is filled scanline by scanline (pixel centres,
/// half-open spans so neighbouring triangles share edges without gaps or double hits), each pixel taking
/// the bilinearly filtered source colour through the triangle's affine map. Fixed-point (8-bit weights,
/// two channels per 32-bit lane) so a 512x512 frame costs a few milliseconds on one core; no allocation.
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
            var row = d.Slice(y * dw, dw);
            var ex = sx + mxx * (x1 - 1 - x0);
            var ey = sy + myx * (x1 - 1 - x0);
            // The map is affine, so if both span ends sample inside the source, every pixel between does:
            // then step in 16.16 fixed point without clamping.
            if (MathF.Min(sx, ex) >= 0 && MathF.Max(sx, ex) < sw - 1.001f && MathF.Min(sy, ey) >= 0 && MathF.Max(sy, ey) < sh - 1.001f)
                SpanFast(s, sw, row, x0, x1, (int)(sx * 65536), (int)(sy * 65536), (int)(mxx * 65536), (int)(myx * 65536));
            else
                for (var x = x0; x < x1; x++, sx += mxx, sy += myx)
                    row[x] = Sample(s, sw, sh, sx, sy);
        }
    }

    private static void SpanFast(ReadOnlySpan<uint> s, int w, Span<uint> row, int x0, int x1, int fx, int fy, int dx, int dy)
    {
        ref var src = ref MemoryMarshal.GetReference(s);
        for (var x = x0; x < x1; x++, fx += dx, fy += dy)
        {
            // Fixed-point steps can round a hair below 0 on the last pixel; clamp the integer part cheaply.
            var ix = Math.Max(fx, 0) >> 16;
            var iy = Math.Max(fy, 0) >> 16;
            var wx = (uint)(fx >> 8) & 0xFF;
            var wy = (uint)(fy >> 8) & 0xFF;
            ref var p = ref Unsafe.Add(ref src, iy * w + ix);
            var top = Lerp(p, Unsafe.Add(ref p, 1), wx);
            var bottom = Lerp(Unsafe.Add(ref p, w), Unsafe.Add(ref p, w + 1), wx);
            row[x] = Lerp(top, bottom, wy);
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Sample(ReadOnlySpan<uint> s, int w, int h, float x, float y)
    {
        x = Math.Clamp(x, 0, w - 1.001f);
        y = Math.Clamp(y, 0, h - 1.001f);
        var ix = (int)x;
        var iy = (int)y;
        var fx = (uint)((x - ix) * 256);
        var fy = (uint)((y - iy) * 256);
        var i = iy * w + ix;
        var top = Lerp(s[i], s[i + 1], fx);
        var bottom = Lerp(s[i + w], s[i + w + 1], fx);
        return Lerp(top, bottom, fy);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Lerp(uint a, uint b, uint f)
    {
        var g = 256 - f;
        var rb = ((a & 0x00FF00FFu) * g + (b & 0x00FF00FFu) * f) >> 8 & 0x00FF00FFu;
        var ag = (((a >> 8) & 0x00FF00FFu) * g + ((b >> 8) & 0x00FF00FFu) * f) & 0xFF00FF00u;
        return rb | ag;
    }
}
