using System.Buffers.Binary;
using System.Text;

namespace PersonaLive.Inference.Tflite;

/// <summary>
/// Read-only view of one FlatBuffers table (flatbuffers.dev "internals": a table starts with an soffset
/// to its vtable; the vtable lists uint16 field offsets, 0 = absent; reference fields hold a uoffset
/// relative to their own position; vectors and strings are a uint32 length followed by the elements).
/// Every access is bounds-checked so a corrupt file fails with <see cref="InvalidDataException"/>.
/// </summary>
internal readonly struct FlatBufferTable
{
    private readonly ReadOnlyMemory<byte> _buf;
    private readonly int _pos;
    private readonly int _vtable;
    private readonly int _vtableSize;

    private FlatBufferTable(ReadOnlyMemory<byte> buf, int pos)
    {
        _buf = buf;
        _pos = pos;
        var span = buf.Span;
        _vtable = pos - ReadInt32(span, pos);
        _vtableSize = ReadUInt16(span, _vtable);
    }

    /// <summary>The root table of a buffer (uoffset at byte 0).</summary>
    public static FlatBufferTable Root(ReadOnlyMemory<byte> buf) => new(buf, checked((int)ReadUInt32(buf.Span, 0)));

    private int FieldOffset(int field)
    {
        var entry = 4 + 2 * field;
        return entry + 2 <= _vtableSize ? ReadUInt16(_buf.Span, _vtable + entry) : 0;
    }

    public bool Has(int field) => FieldOffset(field) != 0;

    public int Int32(int field, int defaultValue = 0)
    {
        var o = FieldOffset(field);
        return o == 0 ? defaultValue : ReadInt32(_buf.Span, _pos + o);
    }

    public uint UInt32(int field, uint defaultValue = 0)
    {
        var o = FieldOffset(field);
        return o == 0 ? defaultValue : ReadUInt32(_buf.Span, _pos + o);
    }

    public byte UInt8(int field, byte defaultValue = 0)
    {
        var o = FieldOffset(field);
        if (o == 0) return defaultValue;
        Check(_buf.Span, _pos + o, 1);
        return _buf.Span[_pos + o];
    }

    public sbyte Int8(int field, sbyte defaultValue = 0) => unchecked((sbyte)UInt8(field, unchecked((byte)defaultValue)));

    /// <summary>A sub-table, or null when absent.</summary>
    public FlatBufferTable? Table(int field)
    {
        var at = Target(field);
        return at < 0 ? null : new FlatBufferTable(_buf, at);
    }

    public string? String(int field)
    {
        var bytes = Bytes(field);
        return bytes is null ? null : Encoding.UTF8.GetString(bytes.Value.Span);
    }

    /// <summary>A [ubyte] vector as a slice of the buffer (no copy), or null when absent.</summary>
    public ReadOnlyMemory<byte>? Bytes(int field)
    {
        var at = Target(field);
        if (at < 0) return null;
        var n = checked((int)ReadUInt32(_buf.Span, at));
        Check(_buf.Span, at + 4, n);
        return _buf.Slice(at + 4, n);
    }

    public int[] Int32Vector(int field)
    {
        var at = Target(field);
        if (at < 0) return [];
        var n = checked((int)ReadUInt32(_buf.Span, at));
        Check(_buf.Span, at + 4, checked(n * 4));
        var result = new int[n];
        for (var i = 0; i < n; i++) result[i] = ReadInt32(_buf.Span, at + 4 + 4 * i);
        return result;
    }

    public FlatBufferTable[] TableVector(int field)
    {
        var at = Target(field);
        if (at < 0) return [];
        var n = checked((int)ReadUInt32(_buf.Span, at));
        Check(_buf.Span, at + 4, checked(n * 4));
        var result = new FlatBufferTable[n];
        for (var i = 0; i < n; i++)
        {
            var slot = at + 4 + 4 * i;
            result[i] = new FlatBufferTable(_buf, checked(slot + (int)ReadUInt32(_buf.Span, slot)));
        }
        return result;
    }

    private int Target(int field)
    {
        var o = FieldOffset(field);
        if (o == 0) return -1;
        var slot = _pos + o;
        return checked(slot + (int)ReadUInt32(_buf.Span, slot));
    }

    private static void Check(ReadOnlySpan<byte> s, int at, int len)
    {
        if (at < 0 || len < 0 || at > s.Length - len)
            throw new InvalidDataException($"FlatBuffer access [{at}, +{len}) outside a buffer of {s.Length} bytes.");
    }

    private static int ReadInt32(ReadOnlySpan<byte> s, int at) { Check(s, at, 4); return BinaryPrimitives.ReadInt32LittleEndian(s[at..]); }
    private static uint ReadUInt32(ReadOnlySpan<byte> s, int at) { Check(s, at, 4); return BinaryPrimitives.ReadUInt32LittleEndian(s[at..]); }
    private static ushort ReadUInt16(ReadOnlySpan<byte> s, int at) { Check(s, at, 2); return BinaryPrimitives.ReadUInt16LittleEndian(s[at..]); }
}
