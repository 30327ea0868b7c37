using SkiaSharp;
using PersonaLive.Web.Hosting;

namespace PersonaLive.Web.Live.Portraits;

/// <summary>
/// Checks an uploaded portrait before any decoding work: byte size, format by magic bytes (JPEG, PNG,
/// WebP; the file name and declared type are not trusted), and pixel count from the image header only.
/// Each failure is a sentence a person can act on.
/// </summary>
internal static class PortraitUploadValidator
{
    /// <summary>Formats we accept.</summary>
    public enum ImageFormat { Unknown, Jpeg, Png, Webp }

    /// <summary>Checks the declared size before the upload is read at all.</summary>
    public static string? CheckSize(long bytes, LimitsOptions limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (bytes <= 0) return "The file is empty.";
        return bytes > limits.MaxUploadBytes
            ? $"The file is {Megabytes(bytes)}; the limit is {Megabytes(limits.MaxUploadBytes)}. Please choose a smaller image."
            : null;
    }

    /// <summary>Validates the bytes; returns null when acceptable, otherwise the reason.</summary>
    public static string? Validate(ReadOnlySpan<byte> data, LimitsOptions limits, out int width, out int height)
    {
        width = height = 0;
        if (CheckSize(data.Length, limits) is { } sizeError) return sizeError;
        if (Sniff(data) == ImageFormat.Unknown) return "That file is not a JPEG, PNG or WebP image.";
        using var stream = new MemoryStream(data.ToArray(), writable: false);
        using var codec = SKCodec.Create(stream);
        if (codec is null || codec.Info.Width <= 0 || codec.Info.Height <= 0) return "The image could not be read; the file may be damaged.";
        width = codec.Info.Width;
        height = codec.Info.Height;
        long pixels = (long)width * height;
        if (pixels > limits.MaxUploadPixels)
            return $"The image is {width}x{height} ({pixels / 1e6:0.#} megapixels); the limit is {limits.MaxUploadPixels / 1e6:0.#} megapixels.";
        if (width < 64 || height < 64) return $"The image is only {width}x{height}; please use one at least 64x64 pixels.";
        return null;
    }

    /// <summary>Recognises the format from the first bytes.</summary>
    public static ImageFormat Sniff(ReadOnlySpan<byte> d)
    {
        if (d.Length >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return ImageFormat.Jpeg;
        if (d.Length >= 8 && d[..8].SequenceEqual((byte[])[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return ImageFormat.Png;
        if (d.Length >= 12 && d[..4].SequenceEqual("RIFF"u8) && d.Slice(8, 4).SequenceEqual("WEBP"u8)) return ImageFormat.Webp;
        return ImageFormat.Unknown;
    }

    private static string Megabytes(long bytes) => $"{bytes / (1024.0 * 1024.0):0.#} MB";
}
