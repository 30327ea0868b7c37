using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl;

namespace PersonaLive.WebRtc.Dtls;

/// <summary>
/// One side's DTLS 1.2 record-protection keys for epoch 1 (RFC 5246 section 6.3 key block, AEAD suites
/// only: no MAC keys; RFC 5288 section 3 for GCM's 4-byte salt, RFC 7905 section 2 for ChaCha20-Poly1305's
/// 12-byte IV). Our stack never uses them itself (BouncyCastle protects the records); they are exported
/// with the SRTP keys so the authenticated fuzzer can seal DTLS records as the peer would, which is
/// the only way to exercise what happens behind the record MAC (a renegotiation attempt, say).
/// </summary>
public sealed record DtlsWriteKeys(int CipherSuite, byte[] Key, byte[] Iv)
{
    /// <summary>
    /// The local side's write keys of a completed handshake (key block: client key, server key, client
    /// IV, server IV), or null for a suite that is not AEAD. Only valid inside NotifyHandshakeComplete.
    /// </summary>
    internal static DtlsWriteKeys? Export(TlsContext context, bool isServer)
    {
        int suite = context.SecurityParameters.CipherSuite;
        (int key, int iv) = TlsUtilities.GetEncryptionAlgorithm(suite) switch
        {
            EncryptionAlgorithm.AES_128_GCM => (16, 4),
            EncryptionAlgorithm.AES_256_GCM => (32, 4),
            EncryptionAlgorithm.CHACHA20_POLY1305 => (32, 12),
            _ => (0, 0),
        };
        if (key == 0)
        {
            return null;
        }

        byte[] block = TlsImplUtilities.CalculateKeyBlock(new TlsCryptoParameters(context), 2 * (key + iv));
        int k = isServer ? key : 0, i = 2 * key + (isServer ? iv : 0);
        return new DtlsWriteKeys(suite, block[k..(k + key)], block[i..(i + iv)]);
    }
}
