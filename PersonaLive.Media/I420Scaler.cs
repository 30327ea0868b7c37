using System.Buffers;

namespace PersonaLive.Media;

/// <summary>
/// Scales I420 pictures plane by plane, in their own colour space: no RGBA on the way, so a picture that
/// only changes size costs one pass over the output (the planar approach libyuv takes, written here in
/// our own code). Each output sample is the bilinear blend of the four source samples around its centre
/// (centres aligned, 8-bit fixed-point weights, edges clamped); equal sizes copy. Aspect ratio is not
/// kept: the picture is stretched to the output size. Column positions are computed once per plane;
/// nothing is allocated except the optional rented output.
/// </summary>
public static class I420Scaler
{
    /// <summary>A pooled frame of <paramref name="width"/> x <paramref name="height"/> holding <paramref name="source"/> scaled; the caller disposes it.</summary>
    public static I420Frame Scale(I420Frame source, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(source);
        var destination = I420Frame.Rent(width, height);
        try
        {
            Scale(source, destination);
            return destination;
        }
        catch
        {
            destination.Dispose();
            throw;
        }
    }

    /// <summary>Scales <paramref name="source"/> into <paramref name="destination"/> (any sizes).</summary>
    public static void Scale(I420Frame source, I420Frame destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        ScalePlane(source.Y, source.StrideY, source.Width, source.Height, destination.Y, destination.StrideY, destination.Width, destination.Height);
        ScalePlane(source.U, source.StrideU, source.ChromaWidth, source.ChromaHeight, destination.U, destination.StrideU, destination.ChromaWidth, destination.ChromaHeight);
        ScalePlane(source.V, source.StrideV, source.ChromaWidth, source.ChromaHeight, destination.V, destination.StrideV, destination.ChromaWidth, destination.ChromaHeight);
    }

    /// <summary>Bilinear scaling of one 8-bit plane (strides in bytes; both planes must hold their rows).</summary>
    public static void ScalePlane(ReadOnlySpan<byte> source, int sourceStride, int sourceWidth, int sourceHeight,
        Span<byte> destination, int destinationStride, int destinationWidth, int destinationHeight)
    {
        if (sourceWidth <= 0 || sourceHeight <= 0 || destinationWidth <= 0 || destinationHeight <= 0
            || sourceStride < sourceWidth || destinationStride < destinationWidth
            || source.Length < sourceStride * (sourceHeight - 1) + sourceWidth
            || destination.Length < destinationStride * (destinationHeight - 1) + destinationWidth)
        {
            throw new ArgumentException("Invalid plane geometry.");
        }

        if (sourceWidth == destinationWidth && sourceHeight == destinationHeight)
        {
            I420Frame.CopyPlane(source, sourceStride, destination, destinationStride, sourceWidth, sourceHeight);
            return;
        }

        int[]? rented = destinationWidth <= 1024 ? null : ArrayPool<int>.Shared.Rent(destinationWidth);
        Span<int> columns = rented is null ? stackalloc int[destinationWidth] : rented.AsSpan(0, destinationWidth);
        try
        {
            for (int x = 0; x < destinationWidth; x++)
            {
                columns[x] = Position(x, sourceWidth, destinationWidth); // source column << 8 | weight of the next one
            }

            for (int y = 0; y < destinationHeight; y++)
            {
                int p = Position(y, sourceHeight, destinationHeight);
                int y0 = p >> 8, wy = p & 0xFF;
                var row0 = source.Slice(y0 * sourceStride, sourceWidth);
                var row1 = source.Slice(Math.Min(y0 + 1, sourceHeight - 1) * sourceStride, sourceWidth);
                var output = destination.Slice(y * destinationStride, destinationWidth);
                for (int x = 0; x < output.Length; x++)
                {
                    int c = columns[x];
                    int x0 = c >> 8, x1 = Math.Min(x0 + 1, sourceWidth - 1), wx = c & 0xFF;
                    int top = (row0[x0] << 8) + (row0[x1] - row0[x0]) * wx;
                    int bottom = (row1[x0] << 8) + (row1[x1] - row1[x0]) * wx;
                    output[x] = (byte)(((top << 8) + (bottom - top) * wy + 32768) >> 16);
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Where output sample <paramref name="i"/>'s centre falls in the source: whole sample &lt;&lt; 8 | 8-bit fraction, clamped to the edges.</summary>
    private static int Position(int i, int sourceLength, int destinationLength)
    {
        long fixed16 = ((2L * i + 1) * sourceLength << 15) / destinationLength - 32768; // (i + 0.5) * s / d - 0.5, in 1/65536
        fixed16 = Math.Clamp(fixed16, 0, (long)(sourceLength - 1) << 16);
        return (int)((fixed16 >> 16) << 8 | ((fixed16 >> 8) & 0xFF));
    }
}
