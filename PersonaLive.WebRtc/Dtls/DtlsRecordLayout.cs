using System.Buffers.Binary;

namespace PersonaLive.WebRtc.Dtls;

/// <summary>
/// Structural check of a datagram classified as DTLS (RFC 7983 first byte 20..63) before it is handed
/// to BouncyCastle, which silently discards bad records: every record header (RFC 6347 section 4.1:
/// type, version, epoch, sequence number, length; 13 bytes) must carry a DTLS 1.2 content type
/// (20..24), a DTLS version (major 254, minor 255 = 1.0 or 253 = 1.2), a length that fits the
/// datagram, and the records must exactly fill it. Lets the session drop and count garbage itself.
/// </summary>
public static class DtlsRecordLayout
{
    /// <summary>Size of a DTLS record header (RFC 6347 section 4.1).</summary>
    public const int HeaderLength = 13;

    /// <summary>Largest record fragment allowed (2^14 plus the 2048 bytes of expansion TLS permits).</summary>
    public const int MaxFragmentLength = 16384 + 2048;

    /// <summary>True when the datagram is a sequence of well-formed DTLS record headers and fragments.</summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < HeaderLength)
        {
            return false;
        }

        int offset = 0;
        while (offset < datagram.Length)
        {
            var rest = datagram[offset..];
            if (rest.Length < HeaderLength)
            {
                return false;
            }

            byte type = rest[0];
            if (type < 20 || type > 24 || rest[1] != 254 || (rest[2] != 255 && rest[2] != 253))
            {
                return false;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(rest[11..]);
            if (length > MaxFragmentLength || length > rest.Length - HeaderLength)
            {
                return false;
            }

            offset += HeaderLength + length;
        }

        return true;
    }
}
