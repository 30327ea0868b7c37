using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using X509 = System.Security.Cryptography.X509Certificates;

namespace PersonaLive.WebRtc.Dtls;

/// <summary>
/// A fresh self-signed ECDSA P-256 certificate (SHA-256 with ECDSA, valid from yesterday for 30 days)
/// and its SDP fingerprint (RFC 8122: SHA-256 of the DER, upper-case hex, colon separated).
/// One per process; the private key never leaves memory and is never logged.
/// </summary>
public sealed class DtlsCertificate
{
    private DtlsCertificate(byte[] der, AsymmetricKeyParameter privateKey)
    {
        Der = der;
        PrivateKey = privateKey;
        Fingerprint = FormatFingerprint(SHA256.HashData(der));
    }

    /// <summary>The certificate in DER.</summary>
    public byte[] Der { get; }

    /// <summary>"AA:BB:..." as it appears after <c>a=fingerprint:sha-256</c>.</summary>
    public string Fingerprint { get; }

    internal AsymmetricKeyParameter PrivateKey { get; }

    public static DtlsCertificate Generate(string commonName = "PersonaLive")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new X509.CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var now = DateTimeOffset.UtcNow;
        using var cert = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        return new DtlsCertificate(cert.RawData, PrivateKeyFactory.CreateKey(key.ExportPkcs8PrivateKey()));
    }

    internal Certificate ToTlsCertificate(BcTlsCrypto crypto) =>
        new(new Org.BouncyCastle.Tls.Crypto.TlsCertificate[] { crypto.CreateCertificate(Der) });

    public static string FormatFingerprint(ReadOnlySpan<byte> digest) =>
        string.Join(':', digest.ToArray().Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
}
