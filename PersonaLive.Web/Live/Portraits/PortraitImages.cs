using SkiaSharp;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Web.Live.Portraits;

/// <summary>Small encoding helpers for previews shown in the page (data URLs).</summary>
internal static class PortraitImages
{
    /// <summary>Encodes an RGBA image as a JPEG data URL (previews: small over the Blazor circuit).</summary>
    public static string ToJpegDataUrl(RgbaImage image, int quality = 85)
    {
        ArgumentNullException.ThrowIfNull(image);
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        image.Pixels.CopyTo(bitmap.GetPixelSpan());
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
        return "data:image/jpeg;base64," + Convert.ToBase64String(data.AsSpan());
    }

    /// <summary>Wraps encoded bytes as a data URL.</summary>
    public static string ToDataUrl(byte[] encoded, string mime) => $"data:{mime};base64,{Convert.ToBase64String(encoded)}";
}
