using System.Buffers;
using PersonaLive.Web.Live.Media;

namespace PersonaLive.Web.Live.Imaging;

/// <summary>
/// An owned, tightly packed I420 picture in pooled arrays. The pipeline copies each decoded camera
/// frame into one of these inside the media callback (a memcpy), so the media stack gets its buffer
/// back at once and colour conversion is only paid for frames the FrameGate actually selects.
/// </summary>
internal sealed class I420Buffer : IDisposable
{
    private byte[]? _y, _u, _v;

    public I420Buffer(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        Width = width;
        Height = height;
        ChromaWidth = (width + 1) / 2;
        ChromaHeight = (height + 1) / 2;
        _y = ArrayPool<byte>.Shared.Rent(width * height);
        _u = ArrayPool<byte>.Shared.Rent(ChromaWidth * ChromaHeight);
        _v = ArrayPool<byte>.Shared.Rent(ChromaWidth * ChromaHeight);
    }

    public int Width { get; }
    public int Height { get; }
    public int ChromaWidth { get; }
    public int ChromaHeight { get; }

    public Span<byte> Y => Live(_y).AsSpan(0, Width * Height);
    public Span<byte> U => Live(_u).AsSpan(0, ChromaWidth * ChromaHeight);
    public Span<byte> V => Live(_v).AsSpan(0, ChromaWidth * ChromaHeight);

    /// <summary>A borrowed view (strides equal widths).</summary>
    public I420FrameView View => new(Width, Height, Y, Width, U, ChromaWidth, V, ChromaWidth);

    /// <summary>Copies a (possibly padded) view into a new packed buffer.</summary>
    public static I420Buffer CopyOf(in I420FrameView source)
    {
        var b = new I420Buffer(source.Width, source.Height);
        CopyPlane(source.Y, source.StrideY, b.Y, b.Width, b.Height);
        CopyPlane(source.U, source.StrideU, b.U, b.ChromaWidth, b.ChromaHeight);
        CopyPlane(source.V, source.StrideV, b.V, b.ChromaWidth, b.ChromaHeight);
        return b;
    }

    private static void CopyPlane(ReadOnlySpan<byte> src, int stride, Span<byte> dst, int width, int height)
    {
        if (stride == width) { src[..(width * height)].CopyTo(dst); return; }
        for (var row = 0; row < height; row++)
            src.Slice(row * stride, width).CopyTo(dst.Slice(row * width, width));
    }

    private static byte[] Live(byte[]? a) => a ?? throw new ObjectDisposedException(nameof(I420Buffer));

    public void Dispose()
    {
        foreach (var a in new[] { Interlocked.Exchange(ref _y, null), Interlocked.Exchange(ref _u, null), Interlocked.Exchange(ref _v, null) })
            if (a is not null) ArrayPool<byte>.Shared.Return(a);
    }
}
