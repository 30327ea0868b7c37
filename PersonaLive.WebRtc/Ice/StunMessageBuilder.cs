using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace PersonaLive.WebRtc.Ice;

/// <summary>
/// Writes a STUN message (RFC 8489) attribute by attribute; MESSAGE-INTEGRITY and FINGERPRINT are
/// computed over what was written so far, so add them last and in that order.
/// </summary>
public sealed class StunMessageBuilder
{
    private readonly byte[] _buffer = new byte[1280];
    private int _length;

    public StunMessageBuilder(ushort messageType, ReadOnlySpan<byte> transactionId)
    {
        if (transactionId.Length != 12)
        {
            throw new ArgumentException("A STUN transaction id has 12 bytes.", nameof(transactionId));
        }

        BinaryPrimitives.WriteUInt16BigEndian(_buffer, messageType);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(4), StunConstants.MagicCookie);
        transactionId.CopyTo(_buffer.AsSpan(8));
        _length = StunConstants.HeaderLength;
    }

    /// <summary>Adds an attribute; <paramref name="padding"/> fills the bytes up to the 4-byte boundary.</summary>
    public StunMessageBuilder Add(ushort type, ReadOnlySpan<byte> value, byte padding = 0)
    {
        int padded = (value.Length + 3) & ~3;
        if (_length + 4 + padded > _buffer.Length)
        {
            throw new InvalidOperationException("STUN message too large.");
        }

        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_length), type);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_length + 2), (ushort)value.Length);
        value.CopyTo(_buffer.AsSpan(_length + 4));
        _buffer.AsSpan(_length + 4 + value.Length, padded - value.Length).Fill(padding);
        _length += 4 + padded;
        SetBodyLength(_length);
        return this;
    }

    public StunMessageBuilder AddString(ushort type, string value, byte padding = 0) =>
        Add(type, Encoding.UTF8.GetBytes(value), padding);

    public StunMessageBuilder AddUInt32(ushort type, uint value)
    {
        Span<byte> v = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(v, value);
        return Add(type, v);
    }

    public StunMessageBuilder AddUInt64(ushort type, ulong value)
    {
        Span<byte> v = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(v, value);
        return Add(type, v);
    }

    /// <summary>XOR-MAPPED-ADDRESS (RFC 8489 section 14.2) for an IPv4 or IPv6 endpoint.</summary>
    public StunMessageBuilder AddXorMappedAddress(IPEndPoint endpoint)
    {
        var address = endpoint.Address.IsIPv4MappedToIPv6 ? endpoint.Address.MapToIPv4() : endpoint.Address;
        byte[] ip = address.GetAddressBytes();
        Span<byte> v = stackalloc byte[4 + ip.Length];
        v[0] = 0;
        v[1] = address.AddressFamily == AddressFamily.InterNetwork ? (byte)1 : (byte)2;
        BinaryPrimitives.WriteUInt16BigEndian(v[2..], (ushort)(endpoint.Port ^ (int)(StunConstants.MagicCookie >> 16)));
        for (int i = 0; i < ip.Length; i++)
        {
            v[4 + i] = (byte)(ip[i] ^ _buffer[4 + i]); // cookie, then transaction id for IPv6
        }

        return Add(StunConstants.AttrXorMappedAddress, v);
    }

    /// <summary>ERROR-CODE (RFC 8489 section 14.8).</summary>
    public StunMessageBuilder AddErrorCode(int code, string reason)
    {
        byte[] text = Encoding.UTF8.GetBytes(reason);
        var v = new byte[4 + text.Length];
        v[2] = (byte)(code / 100);
        v[3] = (byte)(code % 100);
        text.CopyTo(v, 4);
        return Add(StunConstants.AttrErrorCode, v);
    }

    /// <summary>MESSAGE-INTEGRITY (HMAC-SHA1 keyed with the short-term password).</summary>
    public StunMessageBuilder AddMessageIntegrity(ReadOnlySpan<byte> key)
    {
        int start = _length;
        SetBodyLength(start + 24);
        Span<byte> mac = stackalloc byte[20];
        HMACSHA1.HashData(key, _buffer.AsSpan(0, start), mac);
        return Add(StunConstants.AttrMessageIntegrity, mac);
    }

    /// <summary>FINGERPRINT: CRC-32 XOR 0x5354554E over everything before it.</summary>
    public StunMessageBuilder AddFingerprint()
    {
        int start = _length;
        SetBodyLength(start + 8);
        uint crc = Crc32.Compute(_buffer.AsSpan(0, start)) ^ StunConstants.FingerprintXor;
        return AddUInt32(StunConstants.AttrFingerprint, crc);
    }

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    private void SetBodyLength(int totalLength) =>
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), (ushort)(totalLength - StunConstants.HeaderLength));
}
