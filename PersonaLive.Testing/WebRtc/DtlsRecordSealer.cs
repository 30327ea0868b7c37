using System.Buffers.Binary;
using System.Security.Cryptography;
using PersonaLive.WebRtc.Dtls;

namespace PersonaLive.WebRtc.Diagnostics;

/// <summary>
/// Protects DTLS 1.2 records at epoch 1 with one side's exported write keys (<see cref="DtlsWriteKeys"/>),
/// as that side's record layer would: AEAD with additional data seq_num (epoch and sequence) | type |
/// version | length (RFC 5246 section 6.2.3.3, RFC 6347 section 4.1.2.1); AES-GCM with the 4-byte salt
/// and the 8-byte explicit nonce carried in the record (RFC 5288 section 3), ChaCha20-Poly1305 with the
/// sequence XORed into the IV (RFC 7905 section 2). The receiver decrypts these: what it does with
/// them is behaviour behind authentication (a renegotiation attempt, an alert).
/// </summary>
public sealed class DtlsRecordSealer : IDisposable
{
    private const ushort Epoch = 1;
    private readonly DtlsWriteKeys _keys;
    private readonly AesGcm? _gcm;
    private readonly ChaCha20Poly1305? _chacha;

    /// <param name="keys">The write keys of the side we speak as.</param>
    /// <param name="firstSequence">The first record sequence number to use; pick it above what that side has sent (the receiver's replay window).</param>
    public DtlsRecordSealer(DtlsWriteKeys keys, ulong firstSequence)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = keys;
        NextSequence = firstSequence;
        if (keys.Iv.Length == 4)
        {
            _gcm = new AesGcm(keys.Key, 16);
        }
        else
        {
            _chacha = new ChaCha20Poly1305(keys.Key);
        }
    }

    /// <summary>The sequence number of the next sealed record.</summary>
    public ulong NextSequence { get; private set; }

    /// <summary>One record of <paramref name="contentType"/> (e.g. 22 handshake, 21 alert) carrying <paramref name="plaintext"/>, sealed.</summary>
    public byte[] Seal(byte contentType, ReadOnlySpan<byte> plaintext)
    {
        ulong seqNum = ((ulong)Epoch << 48) | (NextSequence++ & 0xFFFF_FFFF_FFFF);
        Span<byte> aad = stackalloc byte[13];
        BinaryPrimitives.WriteUInt64BigEndian(aad, seqNum);
        (aad[8], aad[9], aad[10]) = (contentType, 0xFE, 0xFD);
        BinaryPrimitives.WriteUInt16BigEndian(aad[11..], (ushort)plaintext.Length);
        int explicitNonce = _gcm is null ? 0 : 8;
        var record = new byte[13 + explicitNonce + plaintext.Length + 16];
        (record[0], record[1], record[2]) = (contentType, 0xFE, 0xFD);
        BinaryPrimitives.WriteUInt64BigEndian(record.AsSpan(3), seqNum);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(11), (ushort)(record.Length - 13));
        var body = record.AsSpan(13 + explicitNonce, plaintext.Length);
        var tag = record.AsSpan(13 + explicitNonce + plaintext.Length, 16);
        Span<byte> nonce = stackalloc byte[12];
        if (_gcm is not null)
        {
            _keys.Iv.CopyTo(nonce);
            BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], seqNum);
            BinaryPrimitives.WriteUInt64BigEndian(record.AsSpan(13), seqNum);
            _gcm.Encrypt(nonce, plaintext, body, tag, aad);
        }
        else
        {
            _keys.Iv.CopyTo(nonce);
            Span<byte> padded = stackalloc byte[12];
            BinaryPrimitives.WriteUInt64BigEndian(padded[4..], seqNum);
            for (int i = 0; i < 12; i++)
            {
                nonce[i] ^= padded[i];
            }

            _chacha!.Encrypt(nonce, plaintext, body, tag, aad);
        }

        return record;
    }

    /// <summary>A handshake record holding one message (RFC 6347 section 4.2.2 header, unfragmented unless told otherwise).</summary>
    public byte[] Handshake(byte messageType, ushort messageSeq, ReadOnlySpan<byte> body, int? length = null, int fragmentOffset = 0, int? fragmentLength = null)
    {
        var message = new byte[12 + body.Length];
        message[0] = messageType;
        WriteUInt24(message.AsSpan(1), length ?? body.Length);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), messageSeq);
        WriteUInt24(message.AsSpan(6), fragmentOffset);
        WriteUInt24(message.AsSpan(9), fragmentLength ?? body.Length);
        body.CopyTo(message.AsSpan(12));
        return Seal(22, message); // handshake
    }

    private static void WriteUInt24(Span<byte> to, int value) => (to[0], to[1], to[2]) = ((byte)(value >> 16), (byte)(value >> 8), (byte)value);

    public void Dispose()
    {
        _gcm?.Dispose();
        _chacha?.Dispose();
    }
}
