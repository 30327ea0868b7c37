using SkiaSharp;

namespace PersonaLive.Inference.Imaging;

/// <summary>Decodes uploaded images (JPEG, PNG, WebP, ...) and encodes PNGs with SkiaSharp.</summary>
public static class ImageCodec
{
    /// <summary>Long side of decoded uploads: enough for face detection and the 512x512 portrait crop.</summary>
    public const int DefaultMaxLongSide = 2048;

    /// <summary>Pixel count above which an image counts as large: decoding it may cost its full-size bitmap.</summary>
    public const long LargePixelCount = 16_000_000;

    /// <summary>
    /// True when the header says the image has more than <see cref="LargePixelCount"/> pixels and its
    /// codec cannot decode it reduced (PNG): callers let only one such decode run at a time.
    /// </summary>
    public static bool IsLarge(ReadOnlySpan<byte> encoded)
    {
        using var codec = SKCodec.Create(new MemoryStream(encoded.ToArray(), writable: false));
        if (codec is null || (long)codec.Info.Width * codec.Info.Height <= LargePixelCount) return false;
        var reduced = codec.GetScaledDimensions((float)DefaultMaxLongSide / Math.Max(codec.Info.Width, codec.Info.Height));
        return reduced.Width >= codec.Info.Width;
    }

    /// <summary>Decodes to unpremultiplied RGBA, honouring the EXIF orientation; null when the bytes are not an image.</summary>
    public static RgbaImage? Decode(ReadOnlySpan<byte> encoded, long maxPixels = 50_000_000) =>
        TryDecode(encoded, out var image, maxPixels) == ImageDecodeStatus.Ok ? image : null;

    /// <summary>
    /// Decodes to unpremultiplied RGBA with the long side reduced to at most <paramref name="maxLongSide"/>
    /// during decoding (<see cref="ScaledImageDecoder"/>), honouring the EXIF orientation, and says why not
    /// when it cannot: not an image, truncated or corrupt data, or more than <paramref name="maxPixels"/>.
    /// </summary>
    public static ImageDecodeStatus TryDecode(ReadOnlySpan<byte> encoded, out RgbaImage? image, long maxPixels = 50_000_000,
        int maxLongSide = DefaultMaxLongSide)
    {
        image = null;
        // the codec owns (and disposes) the stream it reads from
        using var codec = SKCodec.Create(new MemoryStream(encoded.ToArray(), writable: false), out var created);
        if (codec is null)
            return created is SKCodecResult.IncompleteInput or SKCodecResult.ErrorInInput && StartsLikeAnImage(encoded)
                ? ImageDecodeStatus.Damaged : ImageDecodeStatus.NotAnImage;
        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0 || (long)info.Width * info.Height > maxPixels) return ImageDecodeStatus.BadDimensions;
        using var raw = ScaledImageDecoder.Decode(codec, maxLongSide, out var status);
        if (raw is null) return status;
        using var oriented = Orient(raw, codec.EncodedOrigin);
        var bmp = oriented ?? raw;
        image = new RgbaImage(bmp.Width, bmp.Height);
        bmp.GetPixelSpan().CopyTo(image.Pixels);
        return ImageDecodeStatus.Ok;
    }

    /// <summary>JPEG, PNG, GIF or WebP signature: a file cut inside its header is then damaged, not foreign.</summary>
    private static bool StartsLikeAnImage(ReadOnlySpan<byte> d) =>
        d.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) || d.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47])
        || d.StartsWith("GIF8"u8) || (d.Length >= 12 && d.StartsWith("RIFF"u8) && d[8..12].SequenceEqual("WEBP"u8));

    private static SKBitmap? Orient(SKBitmap src, SKEncodedOrigin origin)
    {
        if (origin == SKEncodedOrigin.TopLeft) return null;
        var swap = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var dst = new SKBitmap(new SKImageInfo(swap ? src.Height : src.Width, swap ? src.Width : src.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using var canvas = new SKCanvas(dst);
        var m = origin switch
        {
            SKEncodedOrigin.TopRight => SKMatrix.CreateScale(-1, 1, src.Width / 2f, 0),
            SKEncodedOrigin.BottomRight => SKMatrix.CreateRotationDegrees(180, src.Width / 2f, src.Height / 2f),
            SKEncodedOrigin.BottomLeft => SKMatrix.CreateScale(1, -1, 0, src.Height / 2f),
            SKEncodedOrigin.RightTop => SKMatrix.CreateRotationDegrees(90).PostConcat(SKMatrix.CreateTranslation(src.Height, 0)),
            SKEncodedOrigin.LeftBottom => SKMatrix.CreateRotationDegrees(-90).PostConcat(SKMatrix.CreateTranslation(0, src.Width)),
            SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),                         // transpose
            SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, src.Height, -1, 0, src.Width, 0, 0, 1),  // transverse
            _ => SKMatrix.Identity,
        };
        canvas.SetMatrix(m);
        using var image = SKImage.FromBitmap(src);
        canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest));
        return dst;
    }

    /// <summary>PNG bytes of an RGBA image (alpha kept).</summary>
    public static byte[] EncodePng(RgbaImage image)
    {
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bmp = new SKBitmap(info);
        image.Pixels.CopyTo(bmp.GetPixelSpan());
        using var img = SKImage.FromBitmap(bmp);
        using var data = img.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
