using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Tls;

namespace PersonaLive.WebRtc.Dtls;

/// <summary>
/// Runs one DTLS 1.2 association on a dedicated thread (BouncyCastle blocks): the handshake as server
/// (passive, <see cref="DtlsServerProtocol"/> without the cookie verifier, which cannot reassemble a
/// fragmented ClientHello) or client, then a read loop that keeps answering retransmitted flights and
/// notices close_notify or fatal alerts. Datagrams that arrive before <see cref="Start"/> are queued.
/// </summary>
internal sealed class DtlsSession : IDisposable
{
    private readonly bool _isServer;
    private readonly DtlsCertificate _certificate;
    private readonly string _remoteAlgorithm;
    private readonly byte[] _remoteFingerprint;
    private readonly int _timeoutMillis;
    private readonly ILogger _logger;
    private readonly DtlsDatagramChannel _channel;
    private DtlsTransport? _transport;
    private Thread? _thread;
    private volatile Func<int> _selectedCipherSuite = () => -1;
    private volatile bool _handshakeComplete;
    private volatile bool _closing;
    private int _started;

    public DtlsSession(bool isServer, DtlsCertificate certificate, string remoteAlgorithm, byte[] remoteFingerprint,
        Action<ReadOnlyMemory<byte>> send, ILogger logger, int timeoutMillis = 15000)
    {
        _isServer = isServer;
        _certificate = certificate;
        _remoteAlgorithm = remoteAlgorithm;
        _remoteFingerprint = remoteFingerprint;
        _timeoutMillis = timeoutMillis;
        _logger = logger;
        _channel = new DtlsDatagramChannel(send);
    }

    /// <summary>Handshake done and fingerprint verified; carries the exported SRTP keys.</summary>
    public event Action<SrtpKeyingMaterial>? Connected;

    /// <summary>The handshake failed (timeout, bad certificate, no common profile...).</summary>
    public event Action<Exception>? Failed;

    /// <summary>The peer closed the association (close_notify or a fatal alert) after it was up.</summary>
    public event Action? Closed;

    public bool IsServer => _isServer;

    /// <summary>
    /// Queues a well-formed datagram for BouncyCastle unless <see cref="DtlsRecordAuthenticityFilter"/>
    /// shows it cannot be authentic (returned verdict; the datagram is then dropped silently).
    /// </summary>
    public DtlsRecordAuthenticityFilter.Verdict Enqueue(ReadOnlySpan<byte> datagram)
    {
        int minimum = DtlsRecordAuthenticityFilter.MinimumProtectedLength(_selectedCipherSuite());
        var verdict = DtlsRecordAuthenticityFilter.Check(datagram, _handshakeComplete, minimum);
        if (verdict == DtlsRecordAuthenticityFilter.Verdict.None)
        {
            _channel.Enqueue(datagram);
        }

        return verdict;
    }

    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }

        _thread = new Thread(Run) { IsBackground = true, Name = _isServer ? "dtls-server" : "dtls-client" };
        _thread.Start();
    }

    private void Run()
    {
        SrtpKeyingMaterial? keys;
        Func<short?> alert;
        try
        {
            if (_isServer)
            {
                var server = new WebRtcDtlsServer(_certificate, _remoteAlgorithm, _remoteFingerprint, _timeoutMillis);
                alert = () => server.AlertReceived;
                _selectedCipherSuite = () => server.SelectedCipherSuite;
                _transport = new DtlsServerProtocol().Accept(server, _channel);
                keys = server.Keys;
            }
            else
            {
                var client = new WebRtcDtlsClient(_certificate, _remoteAlgorithm, _remoteFingerprint, _timeoutMillis);
                alert = () => client.AlertReceived;
                _selectedCipherSuite = () => client.SelectedCipherSuite;
                _transport = new DtlsClientProtocol().Connect(client, _channel);
                keys = client.Keys;
            }

            if (keys is null)
            {
                throw new TlsFatalAlert(AlertDescription.internal_error);
            }
        }
        catch (Exception e)
        {
            if (!_closing)
            {
                _logger.LogWarning("DTLS handshake failed: {Reason}", Describe(e));
                Failed?.Invoke(e);
            }

            return;
        }

        _handshakeComplete = true;
        _logger.LogInformation("DTLS connected ({Role}), SRTP profile {Profile}", _isServer ? "server" : "client", keys.Profile);
        Connected?.Invoke(keys);
        var buffer = new byte[2048];
        while (!_closing)
        {
            try
            {
                int n = _transport.Receive(buffer, 0, buffer.Length, 1000);
                if (n < 0 && alert() is not null)
                {
                    _logger.LogInformation("DTLS peer sent alert {Alert}", AlertDescription.GetText(alert()!.Value));
                    break; // close_notify (or another alert) from the peer
                }
            }
            catch (Exception e)
            {
                if (!_closing)
                {
                    _logger.LogInformation("DTLS association ended: {Reason}", Describe(e));
                }

                break;
            }
        }

        if (!_closing)
        {
            Closed?.Invoke();
        }
    }

    private static string Describe(Exception e) => e switch
    {
        TlsFatalAlertReceived r => $"peer sent alert {AlertDescription.GetText(r.AlertDescription)}",
        TlsFatalAlert a => $"we raised alert {AlertDescription.GetText(a.AlertDescription)}",
        _ => e.GetType().Name + ": " + e.Message,
    };

    /// <summary>Sends close_notify (when up) and stops the thread.</summary>
    public void Dispose()
    {
        if (_closing)
        {
            return;
        }

        _closing = true;
        try
        {
            _transport?.Close();
        }
        catch (Exception e) when (e is IOException or TlsException or ObjectDisposedException)
        {
            // best effort: the peer may be gone
        }

        _channel.Close();
    }
}
