using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace PersonaLive.Inference.Tests.Diffusion.Parity;

/// <summary>
/// A NumPy <c>.npy</c> array read into float32 (what the parity harness in tools/parity writes: little-endian
/// float32, float16, float64, int64, int32 or bool, C order, format version 1 or 2).
/// </summary>
internal sealed partial class Npy
{
    private Npy(int[] shape, float[] data)
    {
        Shape = shape;
        Data = data;
    }

    /// <summary>Dimensions, outermost first.</summary>
    public int[] Shape { get; }

    /// <summary>Values in C order, converted to float32.</summary>
    public float[] Data { get; }

    /// <summary>Reads <paramref name="path"/>; throws on any header it does not understand.</summary>
    public static Npy Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
            throw new InvalidDataException($"{path}: not an .npy file");
        int headerLength, offset;
        if (bytes[6] == 1) { headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)); offset = 10; }
        else { headerLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)); offset = 12; }
        var header = Encoding.ASCII.GetString(bytes, offset, headerLength);
        var descr = DescrPattern().Match(header).Groups[1].Value;
        if (header.Contains("'fortran_order': True", StringComparison.Ordinal)) throw new InvalidDataException($"{path}: Fortran order");
        var dims = ShapePattern().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(int.Parse).ToArray();
        var count = dims.Aggregate(1, (a, b) => a * b);
        var body = bytes.AsSpan(offset + headerLength);
        var data = new float[count];
        for (var i = 0; i < count; i++)
        {
            data[i] = descr switch
            {
                "<f4" => BinaryPrimitives.ReadSingleLittleEndian(body[(4 * i)..]),
                "<f2" => (float)BinaryPrimitives.ReadHalfLittleEndian(body[(2 * i)..]),
                "<f8" => (float)BinaryPrimitives.ReadDoubleLittleEndian(body[(8 * i)..]),
                "<i8" => BinaryPrimitives.ReadInt64LittleEndian(body[(8 * i)..]),
                "<i4" => BinaryPrimitives.ReadInt32LittleEndian(body[(4 * i)..]),
                "|b1" or "|u1" => body[i],
                _ => throw new InvalidDataException($"{path}: unsupported dtype {descr}"),
            };
        }
        return new Npy(dims, data);
    }

    [GeneratedRegex(@"'descr':\s*'([^']+)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
