namespace PersonaLive.Inference.Imaging;

/// <summary>
/// Makes the part of a crop that lies beyond the photo unreadable as content: the crop was sampled with
/// clamped edges (streaks of the border pixels), and here those pixels fade, with their distance beyond the
/// photo, into a strongly blurred copy of the crop, so the fill reads as a soft continuation of the border
/// colours. Never mirrors or tiles the picture.
/// </summary>
public static class OutsideFill
{
    public const int BlurRadius = 20;
    /// <summary>Distance beyond the photo (crop pixels) over which the fill fades from sharp to fully blurred.</summary>
    public const float FadeDistance = 10;

    /// <summary>Softens <paramref name="crop"/> where <paramref name="cropToPhoto"/> maps outside the photo's rectangle.</summary>
    public static void Soften(RgbaImage crop, Affine2 cropToPhoto, int photoWidth, int photoHeight)
    {
        int w = crop.Width, h = crop.Height;
        var scale = MathF.Sqrt(MathF.Abs(cropToPhoto.A * cropToPhoto.D - cropToPhoto.B * cropToPhoto.C));
        var beyond = new float[w * h];
        var any = false;
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                var (sx, sy) = cropToPhoto.Apply(x + 0.5f, y + 0.5f);
                var d = MathF.Max(MathF.Max(-sx, sx - photoWidth), MathF.Max(-sy, sy - photoHeight)) / scale;
                beyond[y * w + x] = d;
                any |= d > 0;
            }
        if (!any) return;
        var blurred = crop.Pixels.ToArray();
        var scratch = new byte[blurred.Length];
        for (var pass = 0; pass < 3; pass++)
        {
            BoxBlur(blurred, scratch, w, h, BlurRadius, horizontal: true);
            BoxBlur(scratch, blurred, w, h, BlurRadius, horizontal: false);
        }
        var px = crop.Pixels;
        for (var i = 0; i < w * h; i++)
        {
            if (beyond[i] <= 0) continue;
            var a = Math.Min(beyond[i] / FadeDistance, 1f);
            for (var c = 0; c < 3; c++)
            {
                var o = 4 * i + c;
                px[o] = (byte)(px[o] + (blurred[o] - px[o]) * a + 0.5f);
            }
        }
    }

    /// <summary>Running-sum box blur along rows or columns, clamping at the image edge.</summary>
    private static void BoxBlur(byte[] src, byte[] dst, int w, int h, int r, bool horizontal)
    {
        int lines = horizontal ? h : w, length = horizontal ? w : h;
        int step = horizontal ? 4 : 4 * w, lineStep = horizontal ? 4 * w : 4;
        Span<int> sum = stackalloc int[3];
        for (var line = 0; line < lines; line++)
        {
            var baseOffset = line * lineStep;
            sum.Clear();
            for (var k = -r; k <= r; k++)
            {
                var o = baseOffset + Math.Clamp(k, 0, length - 1) * step;
                for (var c = 0; c < 3; c++) sum[c] += src[o + c];
            }
            for (var i = 0; i < length; i++)
            {
                var o = baseOffset + i * step;
                for (var c = 0; c < 3; c++) dst[o + c] = (byte)(sum[c] / (2 * r + 1));
                dst[o + 3] = 255;
                var add = baseOffset + Math.Min(i + r + 1, length - 1) * step;
                var remove = baseOffset + Math.Max(i - r, 0) * step;
                for (var c = 0; c < 3; c++) sum[c] += src[add + c] - src[remove + c];
            }
        }
    }
}
