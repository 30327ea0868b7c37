using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace PersonaLive.WebRtc.Dtls;

/// <summary>
/// DTLS 1.2 client for the active role (our offering client and tests): offers use_srtp with our
/// profiles, checks the server certificate against the SDP fingerprint, answers the certificate
/// request with our ECDSA credentials, exports SRTP keys inside <see cref="NotifyHandshakeComplete"/>.
/// </summary>
internal sealed class WebRtcDtlsClient : DefaultTlsClient
{
    private readonly DtlsCertificate _certificate;
    private readonly string _remoteAlgorithm;
    private readonly byte[] _remoteFingerprint;
    private readonly int _timeoutMillis;
    private int _profile = -1;
    private int _selectedCipherSuite = -1;

    public WebRtcDtlsClient(DtlsCertificate certificate, string remoteAlgorithm, byte[] remoteFingerprint, int timeoutMillis)
        : base(new BcTlsCrypto(new SecureRandom()))
    {
        _certificate = certificate;
        _remoteAlgorithm = remoteAlgorithm;
        _remoteFingerprint = remoteFingerprint;
        _timeoutMillis = timeoutMillis;
    }

    public SrtpKeyingMaterial? Keys { get; private set; }

    public short? AlertReceived { get; private set; }

    public override void NotifyAlertReceived(short alertLevel, short alertDescription) => AlertReceived = alertDescription;

    /// <summary>The suite the server chose, -1 before its ServerHello; read by the record filter on the socket thread.</summary>
    public int SelectedCipherSuite => Volatile.Read(ref _selectedCipherSuite);

    public override void NotifySelectedCipherSuite(int selectedCipherSuite)
    {
        base.NotifySelectedCipherSuite(selectedCipherSuite);
        Volatile.Write(ref _selectedCipherSuite, selectedCipherSuite);
    }

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() => DtlsPeerSupport.CipherSuites;

    public override int GetHandshakeTimeoutMillis() => _timeoutMillis;

    public override bool RequiresExtendedMasterSecret() => true;

    public override IDictionary<int, byte[]> GetClientExtensions()
    {
        var extensions = base.GetClientExtensions() ?? new Dictionary<int, byte[]>();
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData(DtlsPeerSupport.Profiles, TlsUtilities.EmptyBytes));
        return extensions;
    }

    public override void ProcessServerExtensions(IDictionary<int, byte[]> serverExtensions)
    {
        base.ProcessServerExtensions(serverExtensions);
        var chosen = TlsSrtpUtilities.GetUseSrtpExtension(serverExtensions);
        if (chosen is null || chosen.ProtectionProfiles.Length != 1 || Array.IndexOf(DtlsPeerSupport.Profiles, chosen.ProtectionProfiles[0]) < 0)
        {
            throw new TlsFatalAlert(AlertDescription.illegal_parameter);
        }

        _profile = chosen.ProtectionProfiles[0];
    }

    public override void NotifySecureRenegotiation(bool secureRenegotiation)
    {
    }

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        Keys = DtlsPeerSupport.Export(m_context, _profile, isServer: false);
    }

    private sealed class Authentication(WebRtcDtlsClient owner) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate) =>
            DtlsPeerSupport.VerifyFingerprint(serverCertificate.Certificate, owner._remoteAlgorithm, owner._remoteFingerprint);

        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest) =>
            DtlsPeerSupport.Signer(owner.m_context, (BcTlsCrypto)owner.Crypto, owner._certificate);
    }
}
