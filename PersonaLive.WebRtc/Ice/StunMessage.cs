using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace PersonaLive.WebRtc.Ice;

/// <summary>One STUN attribute inside a parsed message: its type and where its value sits.</summary>
public readonly record struct StunAttribute(ushort Type, int Offset, int Length);

/// <summary>
/// A parsed STUN message (RFC 8489 section 5/14). Parsing validates the header (top bits zero, magic
/// cookie, length a multiple of 4 that matches the datagram) and every attribute length; it never
/// throws. MESSAGE-INTEGRITY and FINGERPRINT are checked on demand, before anything is acted on.
/// </summary>
public sealed class StunMessage
{
    private const int MaxAttributes = 64;
    private readonly byte[] _raw;
    private readonly List<StunAttribute> _attributes;
    private readonly int _integrityOffset;
    private readonly int _fingerprintOffset;

    private StunMessage(byte[] raw, List<StunAttribute> attributes, int integrityOffset, int fingerprintOffset)
    {
        _raw = raw;
        _attributes = attributes;
        _integrityOffset = integrityOffset;
        _fingerprintOffset = fingerprintOffset;
        MessageType = BinaryPrimitives.ReadUInt16BigEndian(raw);
    }

    /// <summary>Method and class bits (0x0001 Binding request, 0x0101 success, 0x0111 error).</summary>
    public ushort MessageType { get; }

    public ReadOnlySpan<byte> TransactionId => _raw.AsSpan(8, 12);

    public ReadOnlySpan<byte> Raw => _raw;

    public IReadOnlyList<StunAttribute> Attributes => _attributes;

    public bool HasMessageIntegrity => _integrityOffset >= 0;

    public bool HasFingerprint => _fingerprintOffset >= 0;

    /// <summary>Parses a datagram; false for anything that is not a well-formed STUN message.</summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out StunMessage? message)
    {
        message = null;
        if (data.Length < StunConstants.HeaderLength || (data[0] & 0xC0) != 0)
        {
            return false;
        }

        int bodyLength = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        if ((bodyLength & 3) != 0 || bodyLength + StunConstants.HeaderLength != data.Length
            || BinaryPrimitives.ReadUInt32BigEndian(data[4..]) != StunConstants.MagicCookie)
        {
            return false;
        }

        var attributes = new List<StunAttribute>();
        int integrity = -1, fingerprint = -1;
        int pos = StunConstants.HeaderLength;
        while (pos < data.Length)
        {
            if (data.Length - pos < 4 || attributes.Count >= MaxAttributes || fingerprint >= 0)
            {
                return false; // truncated, too many, or something after FINGERPRINT
            }

            ushort type = BinaryPrimitives.ReadUInt16BigEndian(data[pos..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 2)..]);
            int padded = (length + 3) & ~3;
            if (data.Length - pos - 4 < padded)
            {
                return false;
            }

            if (type == StunConstants.AttrMessageIntegrity)
            {
                if (length != 20 || integrity >= 0)
                {
                    return false;
                }

                integrity = pos;
            }
            else if (type == StunConstants.AttrFingerprint)
            {
                if (length != 4)
                {
                    return false;
                }

                fingerprint = pos;
            }
            else if (integrity >= 0)
            {
                return false; // only FINGERPRINT may follow MESSAGE-INTEGRITY
            }

            attributes.Add(new StunAttribute(type, pos + 4, length));
            pos += 4 + padded;
        }

        message = new StunMessage(data.ToArray(), attributes, integrity, fingerprint);
        return true;
    }

    /// <summary>Finds the first attribute of a type.</summary>
    public bool TryGetAttribute(ushort type, out ReadOnlySpan<byte> value)
    {
        foreach (var a in _attributes)
        {
            if (a.Type == type)
            {
                value = _raw.AsSpan(a.Offset, a.Length);
                return true;
            }
        }

        value = default;
        return false;
    }

    public bool Has(ushort type) => TryGetAttribute(type, out _);

    public string? Username => TryGetAttribute(StunConstants.AttrUsername, out var v) ? Encoding.UTF8.GetString(v) : null;

    public string? Software => TryGetAttribute(StunConstants.AttrSoftware, out var v) ? Encoding.UTF8.GetString(v) : null;

    public uint? Priority => TryGetAttribute(StunConstants.AttrPriority, out var v) && v.Length == 4
        ? BinaryPrimitives.ReadUInt32BigEndian(v) : null;

    /// <summary>ERROR-CODE as class*100+number, or null.</summary>
    public int? ErrorCode => TryGetAttribute(StunConstants.AttrErrorCode, out var v) && v.Length >= 4
        ? (v[2] & 7) * 100 + v[3] : null;

    /// <summary>Comprehension-required attributes (below 0x8000) this stack does not know (RFC 8489 section 7.3.1).</summary>
    public IReadOnlyList<ushort> UnknownComprehensionRequired()
    {
        var unknown = new List<ushort>();
        foreach (var a in _attributes)
        {
            if (a.Type < 0x8000 && a.Type is not (StunConstants.AttrMappedAddress or StunConstants.AttrUsername
                or StunConstants.AttrMessageIntegrity or StunConstants.AttrErrorCode or StunConstants.AttrUnknownAttributes
                or StunConstants.AttrXorMappedAddress or StunConstants.AttrPriority or StunConstants.AttrUseCandidate))
            {
                unknown.Add(a.Type);
            }
        }

        return unknown;
    }

    /// <summary>XOR-MAPPED-ADDRESS (RFC 8489 section 14.2), IPv4 or IPv6.</summary>
    public IPEndPoint? XorMappedAddress
    {
        get
        {
            if (!TryGetAttribute(StunConstants.AttrXorMappedAddress, out var v) || v.Length < 8)
            {
                return null;
            }

            int port = BinaryPrimitives.ReadUInt16BigEndian(v[2..]) ^ (int)(StunConstants.MagicCookie >> 16);
            Span<byte> mask = stackalloc byte[16];
            _raw.AsSpan(4, 16).CopyTo(mask);
            if (v[1] == 1 && v.Length == 8)
            {
                Span<byte> ip = stackalloc byte[4];
                for (int i = 0; i < 4; i++)
                {
                    ip[i] = (byte)(v[4 + i] ^ mask[i]);
                }

                return new IPEndPoint(new IPAddress(ip), port);
            }

            if (v[1] == 2 && v.Length == 20)
            {
                Span<byte> ip = stackalloc byte[16];
                for (int i = 0; i < 16; i++)
                {
                    ip[i] = (byte)(v[4 + i] ^ mask[i]);
                }

                return new IPEndPoint(new IPAddress(ip), port);
            }

            return null;
        }
    }

    /// <summary>
    /// FINGERPRINT (RFC 8489 section 14.7): CRC-32 of everything before the attribute, XOR 0x5354554E.
    /// The header length already counts the FINGERPRINT attribute, which must be last.
    /// </summary>
    public bool VerifyFingerprint()
    {
        if (_fingerprintOffset < 0)
        {
            return false;
        }

        uint expected = BinaryPrimitives.ReadUInt32BigEndian(_raw.AsSpan(_fingerprintOffset + 4));
        return (Crc32.Compute(_raw.AsSpan(0, _fingerprintOffset)) ^ StunConstants.FingerprintXor) == expected;
    }

    /// <summary>
    /// MESSAGE-INTEGRITY (RFC 8489 section 14.5): HMAC-SHA1 over the message up to the attribute, with
    /// the header length set to end at the attribute's end. Constant-time compare.
    /// </summary>
    public bool VerifyIntegrity(ReadOnlySpan<byte> key)
    {
        if (_integrityOffset < 0)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[StunConstants.HeaderLength];
        _raw.AsSpan(0, StunConstants.HeaderLength).CopyTo(header);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(_integrityOffset + 24 - StunConstants.HeaderLength));
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, key);
        hmac.AppendData(header);
        hmac.AppendData(_raw.AsSpan(StunConstants.HeaderLength, _integrityOffset - StunConstants.HeaderLength));
        Span<byte> mac = stackalloc byte[20];
        hmac.GetHashAndReset(mac);
        return CryptographicOperations.FixedTimeEquals(mac, _raw.AsSpan(_integrityOffset + 4, 20));
    }
}
