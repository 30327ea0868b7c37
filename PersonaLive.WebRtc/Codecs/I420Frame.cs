namespace PersonaLive.WebRtc.Codecs;

/// <summary>
/// A planar YUV 4:2:0 (I420) picture in one managed buffer: Y plane, then U, then V, each with its own
/// stride (decoded pictures keep libvpx's padded stride, which is usually wider than the width).
/// </summary>
public sealed class I420Frame
{
    public I420Frame(int width, int height, int strideY, int strideU, int strideV, byte[] buffer)
    {
        if (width <= 0 || height <= 0 || strideY < width || strideU < ChromaWidthOf(width) || strideV < ChromaWidthOf(width))
        {
            throw new ArgumentException("Invalid I420 geometry.");
        }

        int chromaHeight = (height + 1) / 2;
        if (buffer.Length < strideY * height + (strideU + strideV) * chromaHeight)
        {
            throw new ArgumentException("Buffer too small for the I420 geometry.", nameof(buffer));
        }

        Width = width;
        Height = height;
        StrideY = strideY;
        StrideU = strideU;
        StrideV = strideV;
        Buffer = buffer;
    }

    /// <summary>Allocates a frame with tight strides (stride = width).</summary>
    public static I420Frame Create(int width, int height)
    {
        int cw = ChromaWidthOf(width);
        int ch = (height + 1) / 2;
        return new I420Frame(width, height, width, cw, cw, new byte[width * height + 2 * cw * ch]);
    }

    public int Width { get; }
    public int Height { get; }
    public int StrideY { get; }
    public int StrideU { get; }
    public int StrideV { get; }
    public byte[] Buffer { get; }

    public int ChromaWidth => ChromaWidthOf(Width);
    public int ChromaHeight => (Height + 1) / 2;

    public int OffsetU => StrideY * Height;
    public int OffsetV => OffsetU + StrideU * ChromaHeight;

    public Span<byte> Y => Buffer.AsSpan(0, StrideY * Height);
    public Span<byte> U => Buffer.AsSpan(OffsetU, StrideU * ChromaHeight);
    public Span<byte> V => Buffer.AsSpan(OffsetV, StrideV * ChromaHeight);

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
            var line = Buffer.AsSpan(row * StrideY + x0, w);
            foreach (byte b in line)
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
}
