using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PersonaLive.Inference.Lite;

/// <summary>
/// The warp's inner loop: a run of destination pixels whose source positions step linearly in 16.16 fixed point,
/// each pixel the bilinear blend of its four source neighbours with 8-bit weights (two 8-bit channels per 16 bits
/// of a 32-bit word, so a blend is four multiplies). Positions are clamped to the source first (its edge pixels
/// repeat), so a run may leave the picture without a separate slow path. With AVX2 eight pixels go at once:
/// the four neighbours are gathered and blended in 16-bit lanes, which is exactly the scalar arithmetic, so both
/// paths give the same bytes (the scalar loop serves other CPUs and each run's last pixels). No allocation.
/// </summary>
public static class BilinearSpan
{
    /// <summary>Largest magnitude (source pixels) a run's fixed-point positions may reach: 2^31 / 65536 with room for steps.</summary>
    public const float Limit = 16384;

    /// <summary>
    /// Fills <paramref name="row"/>[<paramref name="x0"/>..<paramref name="x1"/>) from <paramref name="source"/>
    /// (<paramref name="width"/> x <paramref name="height"/>, both at least 2): pixel x samples
    /// (fx + (x - x0) * dx, fy + (x - x0) * dy) / 65536, pixel centres at integers.
    /// </summary>
    public static void Sample(ReadOnlySpan<uint> source, int width, int height, Span<uint> row, int x0, int x1, int fx, int fy, int dx, int dy)
    {
        if (x1 <= x0) return;
        if ((uint)x0 > (uint)row.Length || x1 > row.Length) throw new ArgumentOutOfRangeException(nameof(x1));
        if (width < 2 || height < 2 || source.Length < width * height) throw new ArgumentException("The source must be at least 2x2 and hold width*height pixels.", nameof(source));
        var x = x0;
        if (Avx2.IsSupported && x1 - x0 >= 8) x = Sample8(source, width, height, row, x0, x1, fx, fy, dx, dy);
        var k = x - x0;
        SampleScalar(source, width, height, row, x, x1, fx + k * dx, fy + k * dy, dx, dy);
    }

    /// <summary>
    /// As the fixed-point overload, from float source positions (pixel centres at integers) of pixel
    /// <paramref name="x0"/> and the step per pixel. A run reaching past <see cref="Limit"/> (only from absurd
    /// geometry) is clamped pixel by pixel instead, since its fixed-point positions would overflow.
    /// </summary>
    public static void Sample(ReadOnlySpan<uint> source, int width, int height, Span<uint> row, int x0, int x1, float sx, float sy, float dx, float dy)
    {
        if (x1 <= x0) return;
        var n = x1 - 1 - x0;
        float ex = sx + dx * n, ey = sy + dy * n;
        if (MathF.Max(MathF.Max(MathF.Abs(sx), MathF.Abs(ex)), MathF.Max(MathF.Abs(sy), MathF.Abs(ey))) < Limit)
        {
            Sample(source, width, height, row, x0, x1, (int)(sx * 65536), (int)(sy * 65536), (int)(dx * 65536), (int)(dy * 65536));
            return;
        }
        for (var x = x0; x < x1; x++, sx += dx, sy += dy)
        {
            float cx = Math.Clamp(sx, 0, width - 1), cy = Math.Clamp(sy, 0, height - 1);
            Sample(source, width, height, row, x, x + 1, (int)(cx * 65536), (int)(cy * 65536), 0, 0);
        }
    }

    /// <summary>The one-pixel-at-a-time loop (the reference the vector path must equal).</summary>
    internal static void SampleScalar(ReadOnlySpan<uint> source, int width, int height, Span<uint> row, int x0, int x1, int fx, int fy, int dx, int dy)
    {
        int maxX = ((width - 1) << 16) - 1, maxY = ((height - 1) << 16) - 1;
        ref var src = ref MemoryMarshal.GetReference(source);
        for (var x = x0; x < x1; x++, fx += dx, fy += dy)
        {
            int cx = Math.Clamp(fx, 0, maxX), cy = Math.Clamp(fy, 0, maxY);
            var wx = (uint)(cx >> 8) & 0xFF;
            var wy = (uint)(cy >> 8) & 0xFF;
            ref var p = ref Unsafe.Add(ref src, (cy >> 16) * width + (cx >> 16));
            var top = Lerp(p, Unsafe.Add(ref p, 1), wx);
            var bottom = Lerp(Unsafe.Add(ref p, width), Unsafe.Add(ref p, width + 1), wx);
            row[x] = Lerp(top, bottom, wy);
        }
    }

    /// <summary>Eight pixels per step while eight remain; returns the first pixel not done.</summary>
    private static unsafe int Sample8(ReadOnlySpan<uint> source, int width, int height, Span<uint> row, int x0, int x1, int fx, int fy, int dx, int dy)
    {
        var lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
        var px = Vector256.Create(fx) + lane * dx;
        var py = Vector256.Create(fy) + lane * dy;
        Vector256<int> stepX = Vector256.Create(dx * 8), stepY = Vector256.Create(dy * 8);
        Vector256<int> maxX = Vector256.Create(((width - 1) << 16) - 1), maxY = Vector256.Create(((height - 1) << 16) - 1);
        var stride = Vector256.Create(width);
        var x = x0;
        fixed (uint* s = source)
        fixed (uint* d = row)
        {
            uint* s01 = s + 1, s10 = s + width, s11 = s + width + 1;
            for (; x + 8 <= x1; x += 8, px += stepX, py += stepY)
            {
                var cx = Vector256.Min(Vector256.Max(px, Vector256<int>.Zero), maxX);
                var cy = Vector256.Min(Vector256.Max(py, Vector256<int>.Zero), maxY);
                var index = Avx2.MultiplyLow(Vector256.ShiftRightArithmetic(cy, 16), stride) + Vector256.ShiftRightArithmetic(cx, 16);
                var wx = (Vector256.ShiftRightLogical(cx.AsUInt32(), 8) & Vector256.Create(0xFFu)).AsUInt32();
                var wy = (Vector256.ShiftRightLogical(cy.AsUInt32(), 8) & Vector256.Create(0xFFu)).AsUInt32();
                var top = Lerp8(Avx2.GatherVector256(s, index, 4), Avx2.GatherVector256(s01, index, 4), wx);
                var bottom = Lerp8(Avx2.GatherVector256(s10, index, 4), Avx2.GatherVector256(s11, index, 4), wx);
                Lerp8(top, bottom, wy).Store(d + x);
            }
        }
        return x;
    }

    /// <summary>Eight <see cref="Lerp"/>s: weights 0..255 per pixel, copied into both 16-bit halves of each word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Lerp8(Vector256<uint> a, Vector256<uint> b, Vector256<uint> f)
    {
        var f2 = (f | Vector256.ShiftLeft(f, 16)).AsUInt16();
        var g2 = Vector256.Create((ushort)256) - f2;
        var mask = Vector256.Create(0x00FF00FFu);
        var rb = Vector256.ShiftRightLogical((a & mask).AsUInt16() * g2 + (b & mask).AsUInt16() * f2, 8).AsUInt32();
        var ag = ((Vector256.ShiftRightLogical(a, 8) & mask).AsUInt16() * g2 + (Vector256.ShiftRightLogical(b, 8) & mask).AsUInt16() * f2).AsUInt32();
        return rb | (ag & Vector256.Create(0xFF00FF00u));
    }

    /// <summary>Per channel (a*(256-f) + b*f) / 256, truncated; f in 0..255.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Lerp(uint a, uint b, uint f)
    {
        var g = 256 - f;
        var rb = ((a & 0x00FF00FFu) * g + (b & 0x00FF00FFu) * f) >> 8 & 0x00FF00FFu;
        var ag = (((a >> 8) & 0x00FF00FFu) * g + ((b >> 8) & 0x00FF00FFu) * f) & 0xFF00FF00u;
        return rb | ag;
    }
}
