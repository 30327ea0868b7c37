namespace PersonaLive.Inference.Imaging;

/// <summary>
/// A tightly packed 8-bit RGBA image (row stride = 4 x width). The common pixel currency between the
/// web glue (which converts decoded I420 camera frames) and the engines (which return rendered frames).
/// RGBA was chosen because SkiaSharp renders into it directly and the ONNX pre-processing reads it
/// with one pass. The buffer may be rented; <see cref="Dispose"/> returns it to its pool.
/// </summary>
public sealed class RgbaImage : IDisposable
{
    private readonly Action<byte[]>? _return;
    private byte[]? _pixels;

    /// <summary>Wraps <paramref name="pixels"/> (at least 4*width*height bytes); <paramref name="onDispose"/> gets it back on dispose.</summary>
    public RgbaImage(int width, int height, byte[] pixels, Action<byte[]>? onDispose = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length < checked(width * height * 4))
            throw new ArgumentException($"RGBA buffer of {pixels.Length} bytes is smaller than {width}x{height}x4.", nameof(pixels));
        Width = width;
        Height = height;
        _pixels = pixels;
        _return = onDispose;
    }

    /// <summary>Allocates a new black, opaque-less (all zero) image.</summary>
    public RgbaImage(int width, int height) : this(width, height, new byte[checked(width * height * 4)]) { }

    /// <summary>An image over a buffer rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/> (contents undefined); dispose returns it.</summary>
    public static RgbaImage Rent(int width, int height) =>
        new(width, height, System.Buffers.ArrayPool<byte>.Shared.Rent(checked(width * height * 4)), ReturnToPool);

    private static void ReturnToPool(byte[] pixels) => System.Buffers.ArrayPool<byte>.Shared.Return(pixels);

    public int Width { get; }
    public int Height { get; }
    public int Stride => Width * 4;

    /// <summary>The pixel bytes, row-major, RGBA order.</summary>
    public Span<byte> Pixels => (_pixels ?? throw new ObjectDisposedException(nameof(RgbaImage))).AsSpan(0, Width * Height * 4);

    /// <summary>The underlying array (may be longer than the image).</summary>
    public byte[] Buffer => _pixels ?? throw new ObjectDisposedException(nameof(RgbaImage));

    public void Dispose()
    {
        var p = Interlocked.Exchange(ref _pixels, null);
        if (p is not null) _return?.Invoke(p);
    }
}
