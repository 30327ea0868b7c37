using System.Buffers;
using PersonaLive.Inference.Imaging;
using PersonaLive.Web.Live.Media;

namespace PersonaLive.Web.Live.Imaging;

/// <summary>
/// I420 &lt;-&gt; RGBA colour conversion with ITU-R BT.601 coefficients, limited ("studio") range:
/// Y in 16..235, U/V in 16..240, which is what browsers' VP8 encoders and libvpx use for camera video.
/// Fixed point with 8 fractional bits (the usual integer form of the BT.601 matrix), no allocation
/// beyond the pooled output. Alpha is set to 255.
/// </summary>
internal static class YuvConverter
{
    /// <summary>Converts a decoded camera frame into a pooled RGBA image (dispose returns the buffer).</summary>
    public static RgbaImage ToRgba(in I420FrameView src)
    {
        var pixels = ArrayPool<byte>.Shared.Rent(src.Width * src.Height * 4);
        var image = new RgbaImage(src.Width, src.Height, pixels, p => ArrayPool<byte>.Shared.Return(p));
        ToRgba(src, image.Pixels);
        return image;
    }

    /// <summary>Converts into a caller buffer of at least 4 x width x height bytes.</summary>
    public static void ToRgba(in I420FrameView src, Span<byte> rgba)
    {
        int w = src.Width, h = src.Height;
        if (rgba.Length < w * h * 4) throw new ArgumentException("RGBA buffer too small.", nameof(rgba));
        for (var row = 0; row < h; row++)
        {
            var y = src.Y.Slice(row * src.StrideY, w);
            var u = src.U.Slice(row / 2 * src.StrideU);
            var v = src.V.Slice(row / 2 * src.StrideV);
            var dst = rgba.Slice(row * w * 4, w * 4);
            for (var x = 0; x < w; x++)
            {
                int c = 298 * (y[x] - 16) + 128;
                int d = u[x >> 1] - 128, e = v[x >> 1] - 128;
                var o = x * 4;
                dst[o] = Clamp((c + 409 * e) >> 8);
                dst[o + 1] = Clamp((c - 100 * d - 208 * e) >> 8);
                dst[o + 2] = Clamp((c + 516 * d) >> 8);
                dst[o + 3] = 255;
            }
        }
    }

    /// <summary>Converts an engine output frame into a packed I420 buffer (chroma = 2x2 average).</summary>
    public static I420Buffer ToI420(RgbaImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var b = new I420Buffer(image.Width, image.Height);
        ToI420(image.Pixels, image.Width, image.Height, b);
        return b;
    }

    /// <summary>Converts tightly packed RGBA pixels into <paramref name="dst"/> (same size).</summary>
    public static void ToI420(ReadOnlySpan<byte> rgba, int width, int height, I420Buffer dst)
    {
        ArgumentNullException.ThrowIfNull(dst);
        if (dst.Width != width || dst.Height != height) throw new ArgumentException("Size mismatch.", nameof(dst));
        if (rgba.Length < width * height * 4) throw new ArgumentException("RGBA buffer too small.", nameof(rgba));
        var yp = dst.Y;
        for (var i = 0; i < width * height; i++)
        {
            int r = rgba[i * 4], g = rgba[i * 4 + 1], b = rgba[i * 4 + 2];
            yp[i] = (byte)(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16);
        }

        Span<byte> up = dst.U, vp = dst.V;
        int cw = dst.ChromaWidth;
        for (var cy = 0; cy < dst.ChromaHeight; cy++)
        {
            int y0 = cy * 2, y1 = Math.Min(y0 + 1, height - 1);
            for (var cx = 0; cx < cw; cx++)
            {
                int x0 = cx * 2, x1 = Math.Min(x0 + 1, width - 1);
                int r = 0, g = 0, bl = 0;
                Accumulate(rgba, (y0 * width + x0) * 4, ref r, ref g, ref bl);
                Accumulate(rgba, (y0 * width + x1) * 4, ref r, ref g, ref bl);
                Accumulate(rgba, (y1 * width + x0) * 4, ref r, ref g, ref bl);
                Accumulate(rgba, (y1 * width + x1) * 4, ref r, ref g, ref bl);
                r = (r + 2) >> 2; g = (g + 2) >> 2; bl = (bl + 2) >> 2;
                up[cy * cw + cx] = (byte)(((-38 * r - 74 * g + 112 * bl + 128) >> 8) + 128);
                vp[cy * cw + cx] = (byte)(((112 * r - 94 * g - 18 * bl + 128) >> 8) + 128);
            }
        }
    }

    private static void Accumulate(ReadOnlySpan<byte> rgba, int o, ref int r, ref int g, ref int b)
    {
        r += rgba[o]; g += rgba[o + 1]; b += rgba[o + 2];
    }

    private static byte Clamp(int v) => (byte)(v < 0 ? 0 : v > 255 ? 255 : v);
}
