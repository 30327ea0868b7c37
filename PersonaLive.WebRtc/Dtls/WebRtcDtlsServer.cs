using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace PersonaLive.WebRtc.Dtls;

/// <summary>
/// DTLS 1.2 server for the passive role (docs/webrtc.md, "DTLS"): ECDSA P-256 credentials, a certificate
/// request with ecdsa_sign (Chrome aborts without it), the client certificate checked against the SDP
/// fingerprint, use_srtp negotiation (RFC 5764 section 4.1), extended master secret required, and the
/// SRTP keys exported inside <see cref="NotifyHandshakeComplete"/>.
/// </summary>
internal sealed class WebRtcDtlsServer : DefaultTlsServer
{
    private readonly DtlsCertificate _certificate;
    private readonly string _remoteAlgorithm;
    private readonly byte[] _remoteFingerprint;
    private readonly int _timeoutMillis;
    private int _profile = -1;
    private int _selectedCipherSuite = -1;

    public WebRtcDtlsServer(DtlsCertificate certificate, string remoteAlgorithm, byte[] remoteFingerprint, int timeoutMillis)
        : base(new BcTlsCrypto(new SecureRandom()))
    {
        _certificate = certificate;
        _remoteAlgorithm = remoteAlgorithm;
        _remoteFingerprint = remoteFingerprint;
        _timeoutMillis = timeoutMillis;
    }

    public SrtpKeyingMaterial? Keys { get; private set; }

    public short? AlertReceived { get; private set; }

    /// <summary>The suite chosen in our ServerHello, -1 before; read by the record filter on the socket thread.</summary>
    public int SelectedCipherSuite => Volatile.Read(ref _selectedCipherSuite);

    public override int GetSelectedCipherSuite()
    {
        int suite = base.GetSelectedCipherSuite();
        Volatile.Write(ref _selectedCipherSuite, suite);
        return suite;
    }

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() => DtlsPeerSupport.CipherSuites;

    public override int GetHandshakeTimeoutMillis() => _timeoutMillis;

    public override bool RequiresExtendedMasterSecret() => true;

    public override CertificateRequest GetCertificateRequest() =>
        new([ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign],
            TlsUtilities.GetDefaultSupportedSignatureAlgorithms(m_context), null);

    public override void NotifyClientCertificate(Certificate clientCertificate) =>
        DtlsPeerSupport.VerifyFingerprint(clientCertificate, _remoteAlgorithm, _remoteFingerprint);

    protected override TlsCredentialedSigner GetECDsaSignerCredentials() =>
        DtlsPeerSupport.Signer(m_context, (BcTlsCrypto)Crypto, _certificate);

    public override void ProcessClientExtensions(IDictionary<int, byte[]> clientExtensions)
    {
        base.ProcessClientExtensions(clientExtensions);
        var offered = TlsSrtpUtilities.GetUseSrtpExtension(clientExtensions)
            ?? throw new TlsFatalAlert(AlertDescription.handshake_failure);
        foreach (int p in DtlsPeerSupport.Profiles)
        {
            if (Array.IndexOf(offered.ProtectionProfiles, p) >= 0)
            {
                _profile = p;
                return;
            }
        }

        throw new TlsFatalAlert(AlertDescription.handshake_failure);
    }

    public override IDictionary<int, byte[]> GetServerExtensions()
    {
        var extensions = base.GetServerExtensions() ?? new Dictionary<int, byte[]>();
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData([_profile], TlsUtilities.EmptyBytes));
        return extensions;
    }

    public override void NotifySecureRenegotiation(bool secureRenegotiation)
    {
        // BouncyCastle never renegotiates; peers without renegotiation_info are fine (BouncyCastle's default would fail their handshake).
    }

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        Keys = DtlsPeerSupport.Export(m_context, _profile, isServer: true);
    }

    public override void NotifyAlertReceived(short alertLevel, short alertDescription) => AlertReceived = alertDescription;
}
