using System.Buffers.Binary;
using System.Security.Cryptography;

namespace PersonaLive.WebRtc.Srtp;

/// <summary>
/// The cipher half of one SRTP direction for RTP or RTCP: AES-128 counter mode with HMAC-SHA1-80
/// (RFC 3711 sections 4.1.1, 4.2) or AEAD_AES_128_GCM (RFC 7714 sections 8-10). Holds the session keys
/// and scratch buffers so that a packet costs no allocation. Not thread-safe: one per direction.
/// </summary>
internal sealed class SrtpTransform : IDisposable
{
    private const int MaxBlocksPerCall = 128;
    private readonly SrtpProfile _profile;
    private readonly byte[] _salt;
    private readonly Aes? _ctrAes;
    private readonly ICryptoTransform? _ecb;
    private readonly AesGcm? _gcm;
    private readonly IncrementalHash? _hmac;
    private readonly byte[] _counters = new byte[MaxBlocksPerCall * 16];
    private readonly byte[] _keystream = new byte[MaxBlocksPerCall * 16];

    public SrtpTransform(SrtpProfile profile, ReadOnlySpan<byte> encryptionKey, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> authKey)
    {
        _profile = profile;
        _salt = salt.ToArray();
        if (profile == SrtpProfile.AeadAes128Gcm)
        {
            _gcm = new AesGcm(encryptionKey, 16);
        }
        else
        {
            _ctrAes = Aes.Create();
            _ctrAes.Key = encryptionKey.ToArray();
            _ctrAes.Mode = CipherMode.ECB;
            _ctrAes.Padding = PaddingMode.None;
            _ecb = _ctrAes.CreateEncryptor(); // one native context reused per packet
            _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, authKey);
        }
    }

    public bool IsGcm => _gcm is not null;

    /// <summary>Builds an SRTP/SRTCP transform for <paramref name="profile"/> from a master key and salt.</summary>
    public static SrtpTransform FromMaster(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, bool rtcp)
    {
        Span<byte> key = stackalloc byte[16];
        Span<byte> salt = stackalloc byte[SrtpProfileInfo.MasterSaltLength(profile)];
        Span<byte> auth = stackalloc byte[20];
        byte baseLabel = rtcp ? SrtpKeyDerivation.RtcpEncryption : SrtpKeyDerivation.RtpEncryption;
        SrtpKeyDerivation.Derive(masterKey, masterSalt, baseLabel, key);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, (byte)(baseLabel + 1), auth);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, (byte)(baseLabel + 2), salt);
        return new SrtpTransform(profile, key, salt, auth);
    }

    /// <summary>XORs the AES-CM keystream for (ssrc, index) over <paramref name="data"/> (RFC 3711 section 4.1.1).</summary>
    public void ApplyCounterMode(uint ssrc, ulong index, Span<byte> data)
    {
        Span<byte> iv = stackalloc byte[16];
        _salt.AsSpan(0, Math.Min(14, _salt.Length)).CopyTo(iv);
        iv[4] ^= (byte)(ssrc >> 24);
        iv[5] ^= (byte)(ssrc >> 16);
        iv[6] ^= (byte)(ssrc >> 8);
        iv[7] ^= (byte)ssrc;
        for (int i = 0; i < 6; i++)
        {
            iv[8 + i] ^= (byte)(index >> (40 - 8 * i));
        }

        int blockCounter = 0;
        int offset = 0;
        while (offset < data.Length)
        {
            int chunk = Math.Min(data.Length - offset, _keystream.Length);
            int blocks = (chunk + 15) / 16;
            for (int b = 0; b < blocks; b++)
            {
                var block = _counters.AsSpan(b * 16, 16);
                iv[..14].CopyTo(block);
                block[14] = (byte)(blockCounter >> 8);
                block[15] = (byte)blockCounter;
                blockCounter++;
            }

            _ecb!.TransformBlock(_counters, 0, blocks * 16, _keystream, 0);
            Xor(data.Slice(offset, chunk), _keystream);

            offset += chunk;
        }
    }

    private static void Xor(Span<byte> target, ReadOnlySpan<byte> keystream)
    {
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            int width = System.Numerics.Vector<byte>.Count;
            for (; i + width <= target.Length; i += width)
            {
                var v = new System.Numerics.Vector<byte>(target[i..]) ^ new System.Numerics.Vector<byte>(keystream[i..]);
                v.CopyTo(target[i..]);
            }
        }

        for (; i < target.Length; i++)
        {
            target[i] ^= keystream[i];
        }
    }

    /// <summary>HMAC-SHA1 over <paramref name="data"/> followed by an optional 4-byte big-endian suffix (the ROC for RTP).</summary>
    public void ComputeHmac(ReadOnlySpan<byte> data, uint? suffix, Span<byte> tag)
    {
        _hmac!.AppendData(data);
        if (suffix is uint s)
        {
            Span<byte> roc = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(roc, s);
            _hmac.AppendData(roc);
        }

        Span<byte> full = stackalloc byte[20];
        _hmac.GetHashAndReset(full);
        full[..tag.Length].CopyTo(tag);
    }

    /// <summary>The 12-byte GCM IV: (00 00 || ssrc || high || low) XOR salt (RFC 7714 sections 8.1, 9.1).</summary>
    public void BuildGcmIv(uint ssrc, uint high, ushort low, bool rtcp, Span<byte> iv)
    {
        iv.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(iv[2..], ssrc);
        if (rtcp)
        {
            BinaryPrimitives.WriteUInt32BigEndian(iv[8..], high); // 00 00 || 31-bit index
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(iv[6..], high); // ROC
            BinaryPrimitives.WriteUInt16BigEndian(iv[10..], low); // SEQ
        }

        for (int i = 0; i < 12; i++)
        {
            iv[i] ^= _salt[i];
        }
    }

    public void GcmEncrypt(ReadOnlySpan<byte> iv, Span<byte> data, Span<byte> tag, ReadOnlySpan<byte> aad) =>
        _gcm!.Encrypt(iv, data, data, tag, aad);

    public bool GcmDecrypt(ReadOnlySpan<byte> iv, Span<byte> data, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> aad)
    {
        try
        {
            _gcm!.Decrypt(iv, data, tag, data, aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    public SrtpProfile Profile => _profile;

    public void Dispose()
    {
        _ecb?.Dispose();
        _ctrAes?.Dispose();
        _gcm?.Dispose();
        _hmac?.Dispose();
    }
}
