using SkiaSharp;

namespace PersonaLive.Inference.Imaging;

/// <summary>What became of an attempt to decode an uploaded image.</summary>
public enum ImageDecodeStatus
{
    /// <summary>Decoded.</summary>
    Ok,

    /// <summary>The bytes are no image format we can read.</summary>
    NotAnImage,

    /// <summary>The header is fine but the pixel data is truncated or corrupt.</summary>
    Damaged,

    /// <summary>More pixels than allowed, or no pixels at all.</summary>
    BadDimensions,
}

/// <summary>
/// Decodes large images to a bounded size: JPEG and WebP through the codec's own scaled decoding (DCT
/// scaling, scaled WebP decode), so a 40-megapixel upload never costs its full-size bitmap. Skia has
/// no reduced decoding for PNG (nor row-by-row decoding in our build): those are decoded at full size
/// and box-filtered down at once, and callers bound how many large images decode at a time
/// (<see cref="ImageCodec.IsLarge"/>). Every native object is disposed before returning except the
/// bitmap the caller gets.
/// </summary>
internal static class ScaledImageDecoder
{
    public static SKBitmap? Decode(SKCodec codec, int maxLongSide, out ImageDecodeStatus status)
    {
        var info = codec.Info;
        int longSide = Math.Max(info.Width, info.Height);
        if (longSide <= maxLongSide) return DecodeAt(codec, info.Width, info.Height, out status);

        var scaled = codec.GetScaledDimensions((float)maxLongSide / longSide);
        var bitmap = scaled.Width < info.Width && scaled.Width > 0 && scaled.Height > 0
            ? DecodeAt(codec, scaled.Width, scaled.Height, out status)
            : DecodeAt(codec, info.Width, info.Height, out status);
        return bitmap is null ? null : Shrink(bitmap, maxLongSide);
    }

    private static SKImageInfo Rgba(int width, int height) => new(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);

    private static SKBitmap? DecodeAt(SKCodec codec, int width, int height, out ImageDecodeStatus status)
    {
        var bitmap = new SKBitmap(Rgba(width, height));
        var result = codec.GetPixels(bitmap.Info, bitmap.GetPixels());
        status = result switch
        {
            SKCodecResult.Success => ImageDecodeStatus.Ok,
            SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput => ImageDecodeStatus.Damaged,
            _ => ImageDecodeStatus.NotAnImage,
        };
        if (status == ImageDecodeStatus.Ok) return bitmap;
        bitmap.Dispose();
        return null;
    }

    /// <summary>
    /// Reduces (and disposes) <paramref name="bitmap"/> when its long side is above the limit: an integer
    /// box filter first (cheap, no aliasing), then a linear resize for the remaining fraction.
    /// </summary>
    private static SKBitmap Shrink(SKBitmap bitmap, int maxLongSide)
    {
        int longSide = Math.Max(bitmap.Width, bitmap.Height);
        if (longSide <= maxLongSide) return bitmap;
        int factor = longSide / maxLongSide;
        if (factor >= 2)
        {
            var reduced = BoxReduce(bitmap, factor);
            bitmap.Dispose();
            bitmap = reduced;
            longSide = Math.Max(bitmap.Width, bitmap.Height);
            if (longSide <= maxLongSide) return bitmap;
        }
        double k = (double)maxLongSide / longSide;
        using (bitmap)
        {
            var target = Rgba(Math.Max(1, (int)(bitmap.Width * k)), Math.Max(1, (int)(bitmap.Height * k)));
            return bitmap.Resize(target, new SKSamplingOptions(SKFilterMode.Linear))
                ?? throw new InvalidOperationException("Skia could not resize the decoded image.");
        }
    }

    /// <summary>Averages each factor x factor block of RGBA pixels into one (edges that do not fill a block are dropped).</summary>
    private static SKBitmap BoxReduce(SKBitmap source, int factor)
    {
        int width = source.Width, outWidth = Math.Max(1, width / factor), outHeight = Math.Max(1, source.Height / factor);
        int rowBytes = width * 4;
        var sums = new uint[outWidth * 4];
        var output = new SKBitmap(Rgba(outWidth, outHeight));
        var src = source.GetPixelSpan();
        var dst = output.GetPixelSpan();
        uint count = (uint)(factor * factor);
        for (int oy = 0; oy < outHeight; oy++)
        {
            Array.Clear(sums);
            for (int r = 0; r < factor; r++)
            {
                var row = src.Slice((oy * factor + r) * rowBytes, rowBytes);
                for (int ox = 0; ox < outWidth; ox++)
                {
                    var block = row.Slice(ox * factor * 4, factor * 4);
                    int o = ox * 4;
                    for (int i = 0; i < block.Length; i += 4)
                    {
                        sums[o] += block[i];
                        sums[o + 1] += block[i + 1];
                        sums[o + 2] += block[i + 2];
                        sums[o + 3] += block[i + 3];
                    }
                }
            }
            var target = dst.Slice(oy * outWidth * 4, outWidth * 4);
            for (int i = 0; i < target.Length; i++) target[i] = (byte)((sums[i] + count / 2) / count);
        }
        return output;
    }
}
