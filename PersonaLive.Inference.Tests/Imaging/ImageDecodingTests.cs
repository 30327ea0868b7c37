using PersonaLive.Inference.Faces;
using PersonaLive.Inference.Imaging;
using PersonaLive.Inference.Tests.Support;
using PersonaLive.TestSupport;
using SkiaSharp;

namespace PersonaLive.Inference.Tests.Imaging;

/// <summary>Uploads are decoded reduced to a long side of 2048 from the start, and damaged files are told apart.</summary>
public sealed class ImageDecodingTests
{
    private static byte[] Encode(RgbaImage image, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        image.Pixels.CopyTo(bitmap.GetPixelSpan());
        using var data = bitmap.Encode(format, 90);
        return data.ToArray();
    }

    private static RgbaImage Ramp(int width, int height)
    {
        var image = new RgbaImage(width, height);
        var px = image.Pixels;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = (y * width + x) * 4;
                (px[i], px[i + 1], px[i + 2], px[i + 3]) = ((byte)(255 - x * 255 / width), (byte)(y * 255 / height), (byte)(x * 255 / width), 255);
            }
        return image;
    }

    [Fact]
    public void A_39_megapixel_png_is_large_and_decodes_to_a_long_side_of_at_most_2048_with_its_colours()
    {
        var png = LargePng.Create(7280, 5456); // 39.7 MP
        Assert.True(ImageCodec.IsLarge(png));
        Assert.True(png.Length < 10_000_000, // fits the upload limit
             $"{png.Length} bytes");
        Assert.Equal(ImageDecodeStatus.Ok, ImageCodec.TryDecode(png, out var decoded));
        using var image = decoded!;
        Assert.True(Math.Max(image.Width, image.Height) <= ImageCodec.DefaultMaxLongSide, $"{image.Width}x{image.Height}");
        Assert.True(Math.Max(image.Width, image.Height) >= ImageCodec.DefaultMaxLongSide / 2, $"{image.Width}x{image.Height}");
        Assert.Equal(7280.0 / 5456, (double)image.Width / image.Height, 0.01);
        var px = image.Pixels.ToArray();
        int Red(int x, int y) => px[(y * image.Width + x) * 4];
        int Green(int x, int y) => px[(y * image.Width + x) * 4 + 1];
        Assert.InRange(Red(2, image.Height / 2), 245, 255);               // left edge is red
        Assert.InRange(Red(image.Width - 3, image.Height / 2), 0, 10);    // right edge is not
        Assert.InRange(Green(image.Width / 2, image.Height / 2), 118, 138); // green ramps down the image
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Webp)]
    [InlineData(SKEncodedImageFormat.Png)]
    public void Large_images_of_every_format_come_out_bounded(SKEncodedImageFormat format)
    {
        using var ramp = Ramp(4100, 3000);
        Assert.Equal(ImageDecodeStatus.Ok, ImageCodec.TryDecode(Encode(ramp, format), out var decoded));
        using var image = decoded!;
        Assert.InRange(Math.Max(image.Width, image.Height), 1024, ImageCodec.DefaultMaxLongSide);
        Assert.False(ImageCodec.IsLarge(Encode(ramp, format))); // 12 MP is not large
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Png)]
    public void Truncated_images_are_damaged_not_unreadable(SKEncodedImageFormat format)
    {
        using var ramp = Ramp(800, 600);
        var bytes = Encode(ramp, format);
        Assert.Equal(ImageDecodeStatus.Damaged, ImageCodec.TryDecode(bytes.AsSpan(0, bytes.Length / 2), out var image));
        Assert.Null(image);
    }

    [Fact]
    public void Big_truncated_png_is_damaged_too()
    {
        var png = LargePng.Create(4200, 3000);
        Assert.Equal(ImageDecodeStatus.Damaged, ImageCodec.TryDecode(png.AsSpan(0, png.Length * 2 / 3), out _));
    }

    [Fact]
    public void Not_an_image_is_said_so()
    {
        Assert.Equal(ImageDecodeStatus.NotAnImage, ImageCodec.TryDecode("hello, this is text"u8, out _));
        Assert.Null(ImageCodec.Decode("hello"u8));
        Assert.Equal(ImageDecodeStatus.Damaged, ImageCodec.TryDecode([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0], out _)); // a PNG cut inside its header
    }

    [Fact]
    public void The_preparer_says_damaged_for_a_truncated_photo()
    {
        using var ramp = Ramp(800, 600);
        var jpeg = Encode(ramp, SKEncodedImageFormat.Jpeg);
        // The detector is never reached for a damaged file, so no models are needed here.
        var result = new PortraitPreparer(null!, null!).Prepare(jpeg.AsSpan(0, jpeg.Length / 3));
        Assert.False(result.Succeeded);
        Assert.StartsWith("The file is damaged or incomplete", result.Error, StringComparison.Ordinal);
    }
}
