using System.Buffers.Binary;

namespace PersonaLive.WebRtc.Rtp.Extensions;

/// <summary>
/// Builds an RFC 8285 header extension block after a 12-byte RTP header, in the one-byte form
/// (profile 0xBEDE, section 4.2: id 1..14, 1..16 bytes) when every element fits it, else in the
/// two-byte form (profile 0x1000, section 4.3: id 1..255, 0..255 bytes). Elements are added in order
/// with <see cref="Add"/>; <see cref="Finish"/> pads to 32 bits, writes the profile and length and
/// sets the X bit. Byte-buffer logic only: no allocation, the caller owns the buffer.
/// </summary>
public ref struct RtpExtensionWriter
{
    private readonly Span<byte> _packet;
    private readonly bool _twoByte;
    private readonly int _start;
    private int _pos;

    /// <summary>Starts a block after the fixed header (no CSRCs) of <paramref name="packet"/>.</summary>
    public RtpExtensionWriter(Span<byte> packet, bool twoByte)
    {
        _packet = packet;
        _twoByte = twoByte;
        _start = RtpHeader.FixedLength + 4;
        _pos = _start;
    }

    /// <summary>True when an element of this id and length fits the one-byte form.</summary>
    public static bool FitsOneByte(int id, int length) => id is >= 1 and <= 14 && length is >= 1 and <= 16;

    /// <summary>Reserves an element and returns the span for its value.</summary>
    public Span<byte> Add(int id, int length)
    {
        if (_twoByte)
        {
            if (id is < 1 or > 255 || length is < 0 or > 255)
            {
                throw new ArgumentOutOfRangeException(nameof(id), "Two-byte header extensions need id 1..255 and 0..255 bytes.");
            }

            _packet[_pos++] = (byte)id;
            _packet[_pos++] = (byte)length;
        }
        else
        {
            if (!FitsOneByte(id, length))
            {
                throw new ArgumentOutOfRangeException(nameof(id), "One-byte header extensions need id 1..14 and 1..16 bytes.");
            }

            _packet[_pos++] = (byte)((id << 4) | (length - 1));
        }

        var value = _packet.Slice(_pos, length);
        _pos += length;
        return value;
    }

    /// <summary>Closes the block; returns the full header length (12 + 4 + padded elements), or 12 when empty.</summary>
    public int Finish()
    {
        if (_pos == _start)
        {
            return RtpHeader.FixedLength;
        }

        int words = (_pos - _start + 3) / 4;
        int end = _start + 4 * words;
        _packet[_pos..end].Clear();
        _packet[0] |= 0x10;
        BinaryPrimitives.WriteUInt16BigEndian(_packet[RtpHeader.FixedLength..], _twoByte ? (ushort)0x1000 : (ushort)0xBEDE);
        BinaryPrimitives.WriteUInt16BigEndian(_packet[(RtpHeader.FixedLength + 2)..], (ushort)words);
        return end;
    }
}
