using System.Buffers;

namespace PersonaLive.Media;

/// <summary>
/// The one I420 (planar YUV 4:2:0) picture type of the media path: full-resolution Y, then
/// half-resolution U, then V, in one buffer, each plane with its own stride (decoders pad rows, so a
/// stride is often wider than the width).
/// </summary>
/// <remarks>
/// Why one type, pooled and reference-counted: a camera frame travels decoder -> frame gate -> engine
/// and an output frame converter -> encoder on different threads. Renting the buffer from
/// <see cref="ArrayPool{T}"/> (<see cref="Rent"/>) and handing the same object along with
/// <see cref="Retain"/> / <see cref="Dispose"/> means no copy per hop and no garbage per frame (a
/// 640x480 picture is ~460 KB, which would land on the large object heap every frame).
/// The buffer goes back to the pool when the last holder disposes; after that every plane access
/// throws <see cref="ObjectDisposedException"/>. Frames built over a caller's array
/// (<see cref="I420Frame(int,int,int,int,int,byte[])"/>, <see cref="Create"/>) never return it to a pool.
/// </remarks>
public sealed class I420Frame : IDisposable
{
    private readonly bool _pooled;
    private byte[]? _buffer;
    private int _references = 1;

    public I420Frame(int width, int height, int strideY, int strideU, int strideV, byte[] buffer)
        : this(width, height, strideY, strideU, strideV, buffer, pooled: false)
    {
    }

    private I420Frame(int width, int height, int strideY, int strideU, int strideV, byte[] buffer, bool pooled)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (width <= 0 || height <= 0 || strideY < width || strideU < ChromaWidthOf(width) || strideV < ChromaWidthOf(width))
        {
            throw new ArgumentException("Invalid I420 geometry.");
        }

        if (buffer.Length < SizeOf(height, strideY, strideU, strideV))
        {
            throw new ArgumentException("Buffer too small for the I420 geometry.", nameof(buffer));
        }

        Width = width;
        Height = height;
        StrideY = strideY;
        StrideU = strideU;
        StrideV = strideV;
        _buffer = buffer;
        _pooled = pooled;
    }

    /// <summary>Allocates a frame with tight strides (stride = width) in a new array (tests, one-off pictures).</summary>
    public static I420Frame Create(int width, int height)
    {
        int cw = ChromaWidthOf(width);
        return new I420Frame(width, height, width, cw, cw, new byte[SizeOf(height, width, cw, cw)]);
    }

    /// <summary>A frame with tight strides over a pooled buffer (contents undefined); the caller holds the one reference.</summary>
    public static I420Frame Rent(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        int cw = ChromaWidthOf(width);
        return new I420Frame(width, height, width, cw, cw, ArrayPool<byte>.Shared.Rent(SizeOf(height, width, cw, cw)), pooled: true);
    }

    public int Width { get; }
    public int Height { get; }
    public int StrideY { get; }
    public int StrideU { get; }
    public int StrideV { get; }

    /// <summary>The whole backing array (may be longer than the picture when pooled).</summary>
    public byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(I420Frame));

    public int ChromaWidth => ChromaWidthOf(Width);
    public int ChromaHeight => (Height + 1) / 2;

    public int OffsetU => StrideY * Height;
    public int OffsetV => OffsetU + StrideU * ChromaHeight;

    public Span<byte> Y => Buffer.AsSpan(0, StrideY * Height);
    public Span<byte> U => Buffer.AsSpan(OffsetU, StrideU * ChromaHeight);
    public Span<byte> V => Buffer.AsSpan(OffsetV, StrideV * ChromaHeight);

    /// <summary>Takes one more reference (a holder that keeps the frame beyond a callback); pair with <see cref="Dispose"/>.</summary>
    public I420Frame Retain()
    {
        int seen;
        do
        {
            seen = Volatile.Read(ref _references);
            if (seen <= 0)
            {
                throw new ObjectDisposedException(nameof(I420Frame));
            }
        }
        while (Interlocked.CompareExchange(ref _references, seen + 1, seen) != seen);

        return this;
    }

    /// <summary>Drops one reference; the last one returns a pooled buffer to the pool.</summary>
    public void Dispose()
    {
        if (Interlocked.Decrement(ref _references) != 0)
        {
            return;
        }

        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (_pooled && buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Copies the visible picture into <paramref name="destination"/> of the same size (strides may differ).</summary>
    public void CopyTo(I420Frame destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.Width != Width || destination.Height != Height)
        {
            throw new ArgumentException("Size mismatch.", nameof(destination));
        }

        CopyPlane(Y, StrideY, destination.Y, destination.StrideY, Width, Height);
        CopyPlane(U, StrideU, destination.U, destination.StrideU, ChromaWidth, ChromaHeight);
        CopyPlane(V, StrideV, destination.V, destination.StrideV, ChromaWidth, ChromaHeight);
    }

    /// <summary>Copies a plane row by row (one block copy when both strides equal the width).</summary>
    public static void CopyPlane(ReadOnlySpan<byte> source, int sourceStride, Span<byte> destination, int destinationStride, int width, int height)
    {
        if (sourceStride == width && destinationStride == width)
        {
            source[..(width * height)].CopyTo(destination);
            return;
        }

        for (int row = 0; row < height; row++)
        {
            source.Slice(row * sourceStride, width).CopyTo(destination.Slice(row * destinationStride, width));
        }
    }

    /// <summary>Fills the whole picture with one colour (handy for tests and placeholders).</summary>
    public void Fill(byte y, byte u, byte v)
    {
        Y.Fill(y);
        U.Fill(u);
        V.Fill(v);
    }

    /// <summary>Mean luma over a rectangle, ignoring stride padding.</summary>
    public double MeanY(int x0 = 0, int y0 = 0, int w = -1, int h = -1)
    {
        w = w < 0 ? Width - x0 : w;
        h = h < 0 ? Height - y0 : h;
        long sum = 0;
        for (int row = y0; row < y0 + h; row++)
        {
            foreach (byte b in Buffer.AsSpan(row * StrideY + x0, w))
            {
                sum += b;
            }
        }

        return (double)sum / (w * h);
    }

    /// <summary>Mean of a chroma plane (0 = U, 1 = V), ignoring stride padding.</summary>
    public double MeanChroma(int plane)
    {
        int stride = plane == 0 ? StrideU : StrideV;
        int offset = plane == 0 ? OffsetU : OffsetV;
        long sum = 0;
        for (int row = 0; row < ChromaHeight; row++)
        {
            foreach (byte b in Buffer.AsSpan(offset + row * stride, ChromaWidth))
            {
                sum += b;
            }
        }

        return (double)sum / (ChromaWidth * ChromaHeight);
    }

    private static int ChromaWidthOf(int width) => (width + 1) / 2;

    private static int SizeOf(int height, int strideY, int strideU, int strideV) =>
        checked(strideY * height + (strideU + strideV) * ((height + 1) / 2));
}
