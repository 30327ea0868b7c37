using System.Buffers.Binary;

namespace PersonaLive.WebRtc.Rtp;

/// <summary>
/// The fixed RTP header (RFC 3550 section 5.1) plus the lengths of CSRCs and the header extension
/// (RFC 8285 one- and two-byte forms), read from a span without allocating. Padding is only inspected
/// by <see cref="TryGetPayload"/>, after SRTP authentication.
/// </summary>
public readonly struct RtpHeader
{
    public bool Padding { get; init; }
    public bool Extension { get; init; }
    public int CsrcCount { get; init; }
    public bool Marker { get; init; }
    public byte PayloadType { get; init; }
    public ushort SequenceNumber { get; init; }
    public uint Timestamp { get; init; }
    public uint Ssrc { get; init; }

    /// <summary>Offset of the extension profile word, or -1.</summary>
    public int ExtensionOffset { get; init; }

    /// <summary>12 + 4*CC + extension block.</summary>
    public int HeaderLength { get; init; }

    public const int FixedLength = 12;

    /// <summary>Parses the header; false on any inconsistent length.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out RtpHeader header)
    {
        header = default;
        if (packet.Length < FixedLength || (packet[0] >> 6) != 2)
        {
            return false;
        }

        int cc = packet[0] & 0x0F;
        bool x = (packet[0] & 0x10) != 0;
        int length = FixedLength + 4 * cc;
        int extensionOffset = -1;
        if (packet.Length < length)
        {
            return false;
        }

        if (x)
        {
            if (packet.Length < length + 4)
            {
                return false;
            }

            extensionOffset = length;
            int words = BinaryPrimitives.ReadUInt16BigEndian(packet[(length + 2)..]);
            length += 4 + 4 * words;
            if (packet.Length < length)
            {
                return false;
            }
        }

        header = new RtpHeader
        {
            Padding = (packet[0] & 0x20) != 0,
            Extension = x,
            CsrcCount = cc,
            Marker = (packet[1] & 0x80) != 0,
            PayloadType = (byte)(packet[1] & 0x7F),
            SequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]),
            Timestamp = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]),
            Ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]),
            ExtensionOffset = extensionOffset,
            HeaderLength = length,
        };
        return true;
    }

    /// <summary>The payload with padding removed; false when the padding count is impossible.</summary>
    public bool TryGetPayload(ReadOnlySpan<byte> packet, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        int end = packet.Length;
        if (Padding)
        {
            if (end <= HeaderLength)
            {
                return false;
            }

            int pad = packet[end - 1];
            if (pad == 0 || pad > end - HeaderLength)
            {
                return false;
            }

            end -= pad;
        }

        payload = packet[HeaderLength..end];
        return true;
    }

    /// <summary>Writes a 12-byte header without CSRCs or extension; returns 12.</summary>
    public static int Write(Span<byte> buffer, bool marker, byte payloadType, ushort sequenceNumber, uint timestamp, uint ssrc)
    {
        buffer[0] = 0x80;
        buffer[1] = (byte)((marker ? 0x80 : 0) | (payloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[8..], ssrc);
        return FixedLength;
    }

    /// <summary>
    /// Writes a 12-byte header followed by an RFC 8285 one-byte extension block (profile 0xBEDE) holding
    /// the given elements (id 1..14, 1..16 bytes each), zero-padded to 32 bits. Returns the header length.
    /// </summary>
    public static int WriteWithExtensions(Span<byte> buffer, bool marker, byte payloadType, ushort sequenceNumber, uint timestamp, uint ssrc,
        ReadOnlySpan<(int Id, byte[] Value)> extensions)
    {
        int n = Write(buffer, marker, payloadType, sequenceNumber, timestamp, ssrc);
        if (extensions.IsEmpty)
        {
            return n;
        }

        buffer[0] |= 0x10;
        int start = n + 4;
        int pos = start;
        foreach (var (id, value) in extensions)
        {
            if (id is < 1 or > 14 || value.Length is < 1 or > 16)
            {
                throw new ArgumentException("One-byte header extensions need id 1..14 and 1..16 bytes.", nameof(extensions));
            }

            buffer[pos++] = (byte)((id << 4) | (value.Length - 1));
            value.CopyTo(buffer[pos..]);
            pos += value.Length;
        }

        int words = (pos - start + 3) / 4;
        buffer[pos..(start + 4 * words)].Clear();
        BinaryPrimitives.WriteUInt16BigEndian(buffer[n..], 0xBEDE);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(n + 2)..], (ushort)words);
        return start + 4 * words;
    }

    /// <summary>
    /// Finds a header extension element by id in either RFC 8285 form; false when absent or malformed.
    /// </summary>
    public bool TryGetExtension(ReadOnlySpan<byte> packet, int id, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (ExtensionOffset < 0)
        {
            return false;
        }

        ushort profile = BinaryPrimitives.ReadUInt16BigEndian(packet[ExtensionOffset..]);
        var data = packet[(ExtensionOffset + 4)..HeaderLength];
        bool oneByte = profile == 0xBEDE;
        bool twoByte = (profile & 0xFFF0) == 0x1000;
        int pos = 0;
        while (pos < data.Length)
        {
            if (data[pos] == 0)
            {
                pos++;
                continue; // padding
            }

            int elementId, elementLength;
            if (oneByte)
            {
                elementId = data[pos] >> 4;
                elementLength = (data[pos] & 0x0F) + 1;
                if (elementId == 15)
                {
                    return false;
                }

                pos++;
            }
            else if (twoByte)
            {
                if (pos + 2 > data.Length)
                {
                    return false;
                }

                elementId = data[pos];
                elementLength = data[pos + 1];
                pos += 2;
            }
            else
            {
                return false;
            }

            if (pos + elementLength > data.Length)
            {
                return false;
            }

            if (elementId == id)
            {
                value = data.Slice(pos, elementLength);
                return true;
            }

            pos += elementLength;
        }

        return false;
    }
}
