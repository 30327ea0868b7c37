using System.Runtime.CompilerServices;

namespace PersonaLive.Inference.Imaging;

/// <summary>
/// Bilinear resampling through an affine map, for model inputs (float HWC tensors) and aligned crops
/// (RGBA). Pixels outside the source read as black (the letterbox/ROI padding MediaPipe uses).
/// Sample positions refer to pixel centres: destination pixel (i, j) samples map(i + 0.5, j + 0.5).
/// </summary>
public static class ImageSampler
{
    /// <summary>Fills <paramref name="dst"/> (size*size*3 floats, RGB) with <c>value * scale + offset</c>, value in [0,1].</summary>
    public static void ToTensor(RgbaImage src, Affine2 dstToSrc, int size, Span<float> dst, float scale, float offset)
    {
        if (dst.Length < size * size * 3) throw new ArgumentException("Tensor buffer too small.", nameof(dst));
        var px = src.Pixels;
        var k = scale / 255f;
        var o = 0;
        for (var j = 0; j < size; j++)
        {
            var (x, y) = dstToSrc.Apply(0.5f, j + 0.5f);
            for (var i = 0; i < size; i++, x += dstToSrc.A, y += dstToSrc.C)
            {
                Bilinear(px, src.Width, src.Height, x - 0.5f, y - 0.5f, out var r, out var g, out var b, out _);
                dst[o++] = r * k + offset;
                dst[o++] = g * k + offset;
                dst[o++] = b * k + offset;
            }
        }
    }

    /// <summary>
    /// Renders an RGBA crop: every destination pixel takes the bilinear source value (opaque). With
    /// <paramref name="clampToEdge"/>, positions outside the source repeat the nearest border pixel (never a
    /// mirrored or tiled copy of the picture) instead of reading black; <see cref="OutsideFill"/> softens the
    /// resulting streaks where that matters.
    /// </summary>
    public static void ToRgba(RgbaImage src, Affine2 dstToSrc, RgbaImage dst, bool clampToEdge = false)
    {
        var px = src.Pixels;
        var d = dst.Pixels;
        var o = 0;
        for (var j = 0; j < dst.Height; j++)
        {
            var (x, y) = dstToSrc.Apply(0.5f, j + 0.5f);
            for (var i = 0; i < dst.Width; i++, x += dstToSrc.A, y += dstToSrc.C)
            {
                float sx = x - 0.5f, sy = y - 0.5f;
                if (clampToEdge)
                {
                    sx = Math.Clamp(sx, 0, src.Width - 1);
                    sy = Math.Clamp(sy, 0, src.Height - 1);
                }
                Bilinear(px, src.Width, src.Height, sx, sy, out var r, out var g, out var b, out _);
                d[o++] = (byte)(r + 0.5f);
                d[o++] = (byte)(g + 0.5f);
                d[o++] = (byte)(b + 0.5f);
                d[o++] = 255;
            }
        }
    }

    /// <summary>Bilinear sample at continuous pixel coordinates (pixel centres at integers); outside = 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Bilinear(ReadOnlySpan<byte> px, int w, int h, float x, float y, out float r, out float g, out float b, out float a)
    {
        var x0 = (int)MathF.Floor(x);
        var y0 = (int)MathF.Floor(y);
        var fx = x - x0;
        var fy = y - y0;
        r = g = b = a = 0;
        Accumulate(px, w, h, x0, y0, (1 - fx) * (1 - fy), ref r, ref g, ref b, ref a);
        Accumulate(px, w, h, x0 + 1, y0, fx * (1 - fy), ref r, ref g, ref b, ref a);
        Accumulate(px, w, h, x0, y0 + 1, (1 - fx) * fy, ref r, ref g, ref b, ref a);
        Accumulate(px, w, h, x0 + 1, y0 + 1, fx * fy, ref r, ref g, ref b, ref a);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(ReadOnlySpan<byte> px, int w, int h, int x, int y, float weight, ref float r, ref float g, ref float b, ref float a)
    {
        if ((uint)x >= (uint)w || (uint)y >= (uint)h) return;
        var i = (y * w + x) * 4;
        r += px[i] * weight;
        g += px[i + 1] * weight;
        b += px[i + 2] * weight;
        a += px[i + 3] * weight;
    }
}
