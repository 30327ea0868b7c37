using System.Runtime.InteropServices;
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
/// Decodes large images straight to a bounded size so a 40-megapixel upload never costs its full-size
/// bitmap: JPEG and WebP through the codec's own scaled decoding (DCT scaling, scaled WebP decode),
/// top-down formats such as PNG row by row with a box filter (only a few source rows live at once).
/// A codec that can do neither (an interlaced PNG) is decoded at full size and then reduced.
/// Every native object is disposed before returning; the caller owns the bitmap it gets.
/// </summary>
internal static class ScaledImageDecoder
{
    public static SKBitmap? Decode(SKCodec codec, int maxLongSide, out ImageDecodeStatus status)
    {
        var info = codec.Info;
        int longSide = Math.Max(info.Width, info.Height);
        if (longSide <= maxLongSide) return DecodeAt(codec, info.Width, info.Height, out status);

        var scaled = codec.GetScaledDimensions((float)maxLongSide / longSide);
        if (scaled.Width < info.Width && scaled.Width > 0 && scaled.Height > 0)
        {
            var bitmap = DecodeAt(codec, scaled.Width, scaled.Height, out status);
            return bitmap is null ? null : Shrink(bitmap, maxLongSide);
        }

        int factor = (longSide + maxLongSide - 1) / maxLongSide;
        if (codec.ScanlineOrder == SKCodecScanlineOrder.TopDown)
        {
            if (DecodeBoxFiltered(codec, factor, out status) is { } reduced) return reduced;
            if (status == ImageDecodeStatus.Damaged) return null;
        }

        var full = DecodeAt(codec, info.Width, info.Height, out status);
        return full is null ? null : Shrink(full, maxLongSide);
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

    /// <summary>Reduces (and disposes) <paramref name="bitmap"/> when its long side is above the limit.</summary>
    private static SKBitmap Shrink(SKBitmap bitmap, int maxLongSide)
    {
        int longSide = Math.Max(bitmap.Width, bitmap.Height);
        if (longSide <= maxLongSide) return bitmap;
        double k = (double)maxLongSide / longSide;
        using (bitmap)
        {
            var target = Rgba(Math.Max(1, (int)(bitmap.Width * k)), Math.Max(1, (int)(bitmap.Height * k)));
            return bitmap.Resize(target, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear))
                ?? throw new InvalidOperationException("Skia could not resize the decoded image.");
        }
    }

    /// <summary>
    /// Decodes <paramref name="factor"/> source rows at a time and averages each factor x factor block
    /// into one pixel. Null with <see cref="ImageDecodeStatus.Ok"/> when the codec cannot decode by rows.
    /// </summary>
    private static SKBitmap? DecodeBoxFiltered(SKCodec codec, int factor, out ImageDecodeStatus status)
    {
        int width = codec.Info.Width, height = codec.Info.Height;
        int outWidth = Math.Max(1, width / factor), outHeight = Math.Max(1, height / factor);
        status = ImageDecodeStatus.Ok;
        if (codec.StartScanlineDecode(Rgba(width, height)) != SKCodecResult.Success) return null;

        int rowBytes = width * 4;
        var rows = new byte[rowBytes * factor];
        var sums = new uint[outWidth * 4];
        var output = new SKBitmap(Rgba(outWidth, outHeight));
        var pixels = output.GetPixelSpan();
        var handle = GCHandle.Alloc(rows, GCHandleType.Pinned);
        try
        {
            for (int oy = 0; oy < outHeight; oy++)
            {
                int lines = Math.Min(factor, height - oy * factor);
                if (codec.GetScanlines(handle.AddrOfPinnedObject(), lines, rowBytes) < lines)
                {
                    status = ImageDecodeStatus.Damaged;
                    output.Dispose();
                    return null;
                }
                Array.Clear(sums);
                for (int r = 0; r < lines; r++)
                {
                    var row = rows.AsSpan(r * rowBytes, rowBytes);
                    for (int ox = 0; ox < outWidth; ox++)
                    {
                        var block = row.Slice(ox * factor * 4, factor * 4);
                        for (int i = 0; i < block.Length; i += 4)
                        {
                            sums[ox * 4] += block[i];
                            sums[ox * 4 + 1] += block[i + 1];
                            sums[ox * 4 + 2] += block[i + 2];
                            sums[ox * 4 + 3] += block[i + 3];
                        }
                    }
                }
                uint count = (uint)(lines * factor);
                var target = pixels.Slice(oy * outWidth * 4, outWidth * 4);
                for (int i = 0; i < target.Length; i++) target[i] = (byte)((sums[i] + count / 2) / count);
            }
            return output;
        }
        finally
        {
            handle.Free();
        }
    }
}
