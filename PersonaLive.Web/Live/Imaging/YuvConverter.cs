using PersonaLive.Inference.Imaging;
using PersonaLive.Media;

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
    public static RgbaImage ToRgba(I420Frame src)
    {
        ArgumentNullException.ThrowIfNull(src);
        var image = RgbaImage.Rent(src.Width, src.Height);
        ToRgba(src, image.Pixels);
        return image;
    }

    /// <summary>Converts into a caller buffer of at least 4 x width x height bytes.</summary>
    public static unsafe void ToRgba(I420Frame src, Span<byte> rgba)
    {
        ArgumentNullException.ThrowIfNull(src);
        int w = src.Width, h = src.Height;
        if (rgba.Length < w * h * 4) throw new ArgumentException("RGBA buffer too small.", nameof(rgba));
        // Plane sizes were checked by I420Frame's constructor, so raw pointers stay in bounds.
        fixed (byte* yBase = src.Y, uBase = src.U, vBase = src.V, dBase = rgba)
        {
            for (var row = 0; row < h; row++)
            {
                byte* y = yBase + row * src.StrideY;
                byte* u = uBase + (row >> 1) * src.StrideU;
                byte* v = vBase + (row >> 1) * src.StrideV;
                byte* d = dBase + row * w * 4;
                for (var x = 0; x < w; x += 2)
                {
                    // One chroma sample serves two neighbouring pixels.
                    int cb = u[x >> 1] - 128, cr = v[x >> 1] - 128;
                    int rAdd = 409 * cr + 128, gAdd = -100 * cb - 208 * cr + 128, bAdd = 516 * cb + 128;
                    int c = 298 * (y[x] - 16);
                    d[0] = Clamp((c + rAdd) >> 8); d[1] = Clamp((c + gAdd) >> 8); d[2] = Clamp((c + bAdd) >> 8); d[3] = 255;
                    if (x + 1 < w)
                    {
                        c = 298 * (y[x + 1] - 16);
                        d[4] = Clamp((c + rAdd) >> 8); d[5] = Clamp((c + gAdd) >> 8); d[6] = Clamp((c + bAdd) >> 8); d[7] = 255;
                    }
                    d += 8;
                }
            }
        }
    }

    /// <summary>Converts an engine output frame into a pooled, packed I420 frame (chroma = 2x2 average); dispose returns it.</summary>
    public static I420Frame ToI420(RgbaImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var b = I420Frame.Rent(image.Width, image.Height);
        ToI420(image.Pixels, image.Width, image.Height, b);
        return b;
    }

    /// <summary>Converts tightly packed RGBA pixels into <paramref name="dst"/> (same size).</summary>
    public static unsafe void ToI420(ReadOnlySpan<byte> rgba, int width, int height, I420Frame dst)
    {
        ArgumentNullException.ThrowIfNull(dst);
        if (dst.Width != width || dst.Height != height) throw new ArgumentException("Size mismatch.", nameof(dst));
        if (dst.StrideY != width || dst.StrideU != dst.ChromaWidth || dst.StrideV != dst.ChromaWidth) throw new ArgumentException("Destination must be tightly packed.", nameof(dst));
        if (rgba.Length < width * height * 4) throw new ArgumentException("RGBA buffer too small.", nameof(rgba));
        int cw = dst.ChromaWidth;
        fixed (byte* s = rgba, yp = dst.Y, up = dst.U, vp = dst.V)
        {
            for (var cy = 0; cy < dst.ChromaHeight; cy++)
            {
                int y0 = cy * 2, y1 = Math.Min(y0 + 1, height - 1);
                byte* row0 = s + y0 * width * 4, row1 = s + y1 * width * 4;
                byte* out0 = yp + y0 * width, out1 = yp + y1 * width;
                for (var cx = 0; cx < cw; cx++)
                {
                    int x0 = cx * 2, x1 = Math.Min(x0 + 1, width - 1);
                    byte* a = row0 + x0 * 4, b = row0 + x1 * 4, c = row1 + x0 * 4, d = row1 + x1 * 4;
                    out0[x0] = Luma(a); out0[x1] = Luma(b); out1[x0] = Luma(c); out1[x1] = Luma(d);
                    int r = (a[0] + b[0] + c[0] + d[0] + 2) >> 2;
                    int g = (a[1] + b[1] + c[1] + d[1] + 2) >> 2;
                    int bl = (a[2] + b[2] + c[2] + d[2] + 2) >> 2;
                    up[cy * cw + cx] = (byte)(((-38 * r - 74 * g + 112 * bl + 128) >> 8) + 128);
                    vp[cy * cw + cx] = (byte)(((112 * r - 94 * g - 18 * bl + 128) >> 8) + 128);
                }
            }
        }
    }

    private static unsafe byte Luma(byte* p) => (byte)(((66 * p[0] + 129 * p[1] + 25 * p[2] + 128) >> 8) + 16);

    private static byte Clamp(int v) => (uint)v <= 255 ? (byte)v : v < 0 ? (byte)0 : (byte)255;
}
