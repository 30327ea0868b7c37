using System.Security.Cryptography;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using PersonaLive.WebRtc.Srtp;

namespace PersonaLive.WebRtc.Dtls;

/// <summary>Pieces shared by our DTLS server and client: profile choice, fingerprint check, key export, signer.</summary>
internal static class DtlsPeerSupport
{
    /// <summary>Our preference order (RFC 7714 GCM first, then the mandatory CM profile).</summary>
    public static readonly int[] Profiles = [SrtpProtectionProfile.SRTP_AEAD_AES_128_GCM, SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80];

    public static readonly int[] CipherSuites =
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    public static SrtpProfile ToProfile(int id) => id switch
    {
        SrtpProtectionProfile.SRTP_AEAD_AES_128_GCM => SrtpProfile.AeadAes128Gcm,
        SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80 => SrtpProfile.AesCm128HmacSha1_80,
        _ => throw new TlsFatalAlert(AlertDescription.illegal_parameter),
    };

    /// <summary>
    /// Checks the peer's first certificate against the SDP fingerprint in constant time
    /// (RFC 8122 section 5); a missing or different certificate aborts with bad_certificate.
    /// </summary>
    public static void VerifyFingerprint(Certificate? chain, string algorithm, byte[] expected)
    {
        if (chain is null || chain.IsEmpty)
        {
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }

        byte[] der = chain.GetCertificateAt(0).GetEncoded();
        byte[] actual = algorithm switch
        {
            "sha-384" => SHA384.HashData(der),
            "sha-512" => SHA512.HashData(der),
            _ => SHA256.HashData(der),
        };
        if (!CryptographicOperations.FixedTimeEquals(actual, expected))
        {
            throw new TlsFatalAlert(AlertDescription.bad_certificate);
        }
    }

    public static TlsCredentialedSigner Signer(TlsContext context, BcTlsCrypto crypto, DtlsCertificate certificate) =>
        new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto, certificate.PrivateKey,
            certificate.ToTlsCertificate(crypto), new SignatureAndHashAlgorithm(Org.BouncyCastle.Tls.HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));

    /// <summary>EXTRACTOR-dtls_srtp export; only valid inside NotifyHandshakeComplete (BouncyCastle clears the secret after).</summary>
    public static SrtpKeyingMaterial Export(TlsContext context, int profileId, bool isServer)
    {
        var profile = ToProfile(profileId);
        byte[] block = context.ExportKeyingMaterial(ExporterLabel.dtls_srtp, null, SrtpProfileInfo.KeyingMaterialLength(profile));
        return SrtpKeyingMaterial.Split(profile, block, isServer) with { LocalRecordKeys = DtlsWriteKeys.Export(context, isServer) };
    }
}
