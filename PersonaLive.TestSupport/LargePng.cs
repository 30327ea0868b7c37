using System.Buffers.Binary;
using System.IO.Compression;

namespace PersonaLive.TestSupport;

/// <summary>
/// Writes a PNG of any size row by row (zlib-streamed IDAT), so a 40-megapixel test image costs the
/// test a few kilobytes of memory rather than a full-size bitmap. Pixels: a smooth colour ramp
/// (left red, right blue, top green) that compresses to a small file like the uploads in the field.
/// </summary>
internal static class LargePng
{
    public static byte[] Create(int width, int height)
    {
        using var file = new MemoryStream();
        file.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        (header[8], header[9]) = (8, 2); // 8-bit RGB, no interlace
        Chunk(file, "IHDR", header);
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            var row = new byte[1 + width * 3];
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    row[1 + x * 3] = (byte)(255 - x * 255L / width);
                    row[2 + x * 3] = (byte)(y * 255L / height);
                    row[3 + x * 3] = (byte)(x * 255L / width);
                }
                z.Write(row);
            }
        }
        Chunk(file, "IDAT", compressed.ToArray());
        Chunk(file, "IEND", []);
        return file.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var buffer = new byte[12 + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(buffer, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type, buffer.AsSpan(4));
        data.CopyTo(buffer, 8);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(8 + data.Length), Crc32(buffer.AsSpan(4, 4 + data.Length)));
        s.Write(buffer);
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
