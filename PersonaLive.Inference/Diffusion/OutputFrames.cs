using System.Buffers;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Diffusion;

/// <summary>Output frames in pooled RGBA buffers (returned to the pool when the caller disposes them).</summary>
internal static class OutputFrames
{
    /// <summary>NHWC [0,1] to RGBA bytes by x*255 and truncation (the official conversion, port-notes §5.5).</summary>
    public static RgbaImage FromNhwc(ReadOnlySpan<float> rgb, int size)
    {
        var image = Rent(size);
        var px = image.Pixels;
        for (int i = 0, o = 0; i < size * size; i++, o += 4)
        {
            px[o] = (byte)(Math.Clamp(rgb[3 * i], 0, 1) * 255);
            px[o + 1] = (byte)(Math.Clamp(rgb[3 * i + 1], 0, 1) * 255);
            px[o + 2] = (byte)(Math.Clamp(rgb[3 * i + 2], 0, 1) * 255);
            px[o + 3] = 255;
        }
        return image;
    }

    /// <summary>A dark grey frame (no portrait yet).</summary>
    public static RgbaImage Blank(int size)
    {
        var image = Rent(size);
        image.Pixels.Fill(32);
        return image;
    }

    private static RgbaImage Rent(int size) =>
        new(size, size, ArrayPool<byte>.Shared.Rent(size * size * 4), b => ArrayPool<byte>.Shared.Return(b));
}
