using SkiaSharp;

namespace PersonaLive.Inference.Imaging;

/// <summary>Decodes uploaded images (JPEG, PNG, WebP, ...) and encodes PNGs with SkiaSharp.</summary>
public static class ImageCodec
{
    /// <summary>Decodes to unpremultiplied RGBA, honouring the EXIF orientation; null when the bytes are not an image.</summary>
    public static RgbaImage? Decode(ReadOnlySpan<byte> encoded, long maxPixels = 50_000_000)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data);
        if (codec is null) return null;
        var info = codec.Info;
        if ((long)info.Width * info.Height > maxPixels || info.Width <= 0 || info.Height <= 0) return null;
        using var raw = new SKBitmap(new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var result = codec.GetPixels(raw.Info, raw.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput)) return null;
        using var oriented = Orient(raw, codec.EncodedOrigin);
        var bmp = oriented ?? raw;
        var image = new RgbaImage(bmp.Width, bmp.Height);
        bmp.GetPixelSpan().CopyTo(image.Pixels);
        return image;
    }

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
