using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace PersonaLive.Media;

/// <summary>
/// Scales I420 pictures plane by plane, in their own colour space: no RGBA on the way, so a picture that
/// only changes size costs one pass over the output (the planar approach libyuv takes, written here in
/// our own code). Each output sample is the bilinear blend of the four source samples around its centre
/// (centres aligned, 8-bit fixed-point weights, edges clamped); equal sizes copy. Aspect ratio is not
/// kept: the picture is stretched to the output size. Column positions are computed once per plane;
/// each output row blends its two source rows first (vectorised) and then picks its columns from that
/// blend, so a downscale costs one vector pass over the rows it reads and one scalar pass over the output;
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

        // Separable: blend the two source rows first (vectorised, 16 bits per sample), then the two columns.
        // r0 * (256 - wy) + r1 * wy fits 16 bits (at most 255 * 256), and expanding both orders gives the
        // same sum of four weighted samples, so the result is the four-tap blend exactly, with one rounding.
        int[]? rentedColumns = destinationWidth <= 1024 ? null : ArrayPool<int>.Shared.Rent(destinationWidth);
        ushort[]? rentedRow = sourceWidth < 2048 ? null : ArrayPool<ushort>.Shared.Rent(sourceWidth + 1);
        Span<int> columns = rentedColumns is null ? stackalloc int[destinationWidth] : rentedColumns.AsSpan(0, destinationWidth);
        Span<ushort> blended = rentedRow is null ? stackalloc ushort[sourceWidth + 1] : rentedRow.AsSpan(0, sourceWidth + 1);
        try
        {
            for (int x = 0; x < destinationWidth; x++)
            {
                columns[x] = Position(x, sourceWidth, destinationWidth); // source column << 8 | weight of the next one
            }

            for (int y = 0; y < destinationHeight; y++)
            {
                int p = Position(y, sourceHeight, destinationHeight);
                int y0 = p >> 8;
                var row0 = source.Slice(y0 * sourceStride, sourceWidth);
                var row1 = source.Slice(Math.Min(y0 + 1, sourceHeight - 1) * sourceStride, sourceWidth);
                BlendRows(row0, row1, p & 0xFF, blended[..sourceWidth]);
                blended[sourceWidth] = blended[sourceWidth - 1];
                BlendColumns(blended, columns, destination.Slice(y * destinationStride, destinationWidth));
            }
        }
        finally
        {
            if (rentedColumns is not null)
            {
                ArrayPool<int>.Shared.Return(rentedColumns);
            }

            if (rentedRow is not null)
            {
                ArrayPool<ushort>.Shared.Return(rentedRow);
            }
        }
    }

    /// <summary>output[x] = row0[x] x (256 - weight) + row1[x] x weight, 16 samples at a time where the hardware allows.</summary>
    private static void BlendRows(ReadOnlySpan<byte> row0, ReadOnlySpan<byte> row1, int weight, Span<ushort> output)
    {
        int x = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            var w0 = Vector128.Create((ushort)(256 - weight));
            var w1 = Vector128.Create((ushort)weight);
            ref byte a = ref MemoryMarshal.GetReference(row0);
            ref byte b = ref MemoryMarshal.GetReference(row1);
            ref ushort o = ref MemoryMarshal.GetReference(output);
            for (; x <= output.Length - Vector128<byte>.Count; x += Vector128<byte>.Count)
            {
                var (aLow, aHigh) = Vector128.Widen(Vector128.LoadUnsafe(ref a, (nuint)x));
                var (bLow, bHigh) = Vector128.Widen(Vector128.LoadUnsafe(ref b, (nuint)x));
                (aLow * w0 + bLow * w1).StoreUnsafe(ref o, (nuint)x);
                (aHigh * w0 + bHigh * w1).StoreUnsafe(ref o, (nuint)(x + Vector128<ushort>.Count));
            }
        }

        for (; x < output.Length; x++)
        {
            output[x] = (ushort)(row0[x] * (256 - weight) + row1[x] * weight);
        }
    }

    /// <summary>
    /// Each output sample from the two blended samples around its column position (see <see cref="Position"/>),
    /// rounded once. <paramref name="blended"/> holds one sample more than the source row (a copy of its
    /// last), so the right neighbour of the last column (weight 0 there) is always inside it.
    /// </summary>
    private static void BlendColumns(ReadOnlySpan<ushort> blended, ReadOnlySpan<int> columns, Span<byte> output)
    {
        if (columns.Length < output.Length || blended.IsEmpty || (columns.Length > 0 && (columns[^1] >> 8) + 1 >= blended.Length))
        {
            throw new ArgumentException("Column positions outside the blended row.");
        }

        // Positions only grow and the last one was checked above: no bounds check per sample.
        int x = Avx2.IsSupported ? BlendColumnsAvx2(blended, columns, output) : 0;
        ref ushort row = ref MemoryMarshal.GetReference(blended);
        ref int column = ref MemoryMarshal.GetReference(columns);
        ref byte target = ref MemoryMarshal.GetReference(output);
        for (; x < output.Length; x++)
        {
            int c = Unsafe.Add(ref column, x);
            int x0 = c >> 8, wx = c & 0xFF;
            int left = Unsafe.Add(ref row, x0);
            int right = Unsafe.Add(ref row, x0 + 1);
            Unsafe.Add(ref target, x) = (byte)(((left << 8) + (right - left) * wx + 32768) >> 16);
        }
    }

    /// <summary>
    /// <see cref="BlendColumns"/> eight samples at a time: one gather per eight reads each sample's left
    /// and right neighbours together (two adjacent 16-bit values as one 32-bit lane), then the same integer
    /// blend and rounding in 32-bit lanes. Returns how many samples it wrote (a multiple of eight); the
    /// caller finishes the rest. The caller has checked that every position and its right neighbour lie
    /// inside <paramref name="blended"/>.
    /// </summary>
    private static unsafe int BlendColumnsAvx2(ReadOnlySpan<ushort> blended, ReadOnlySpan<int> columns, Span<byte> output)
    {
        int x = 0;
        var low8 = Vector256.Create(0xFF);
        var low16 = Vector256.Create(0xFFFF);
        var half = Vector256.Create(32768);
        fixed (ushort* row = blended)
        fixed (int* column = columns)
        fixed (byte* target = output)
        {
            for (; x <= output.Length - 8; x += 8)
            {
                var c = Avx.LoadVector256(column + x);
                var pairs = Avx2.GatherVector256((int*)row, Avx2.ShiftRightLogical(c, 8), 2); // row[x0] | row[x0 + 1] << 16
                var left = Avx2.And(pairs, low16);
                var right = Avx2.ShiftRightLogical(pairs, 16);
                var blend = Avx2.Add(Avx2.Add(Avx2.ShiftLeftLogical(left, 8), Avx2.MultiplyLow(Avx2.Subtract(right, left), Avx2.And(c, low8))), half);
                blend = Avx2.ShiftRightLogical(blend, 16); // 0..255: the sum is a convex blend, never negative
                var words = Vector128.Narrow(blend.GetLower(), blend.GetUpper());
                var bytes = Vector128.Narrow(words.AsUInt16(), words.AsUInt16());
                Unsafe.WriteUnaligned(target + x, bytes.AsUInt64().ToScalar());
            }
        }

        return x;
    }

    /// <summary>Where output sample <paramref name="i"/>'s centre falls in the source: whole sample &lt;&lt; 8 | 8-bit fraction, clamped to the edges.</summary>
    private static int Position(int i, int sourceLength, int destinationLength)
    {
        long fixed16 = ((2L * i + 1) * sourceLength << 15) / destinationLength - 32768; // (i + 0.5) * s / d - 0.5, in 1/65536
        fixed16 = Math.Clamp(fixed16, 0, (long)(sourceLength - 1) << 16);
        return (int)((fixed16 >> 16) << 8 | ((fixed16 >> 8) & 0xFF));
    }
}
