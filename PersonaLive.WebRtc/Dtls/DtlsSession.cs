using Microsoft.Extensions.Logging;
using Org.BouncyCastle.Tls;

namespace PersonaLive.WebRtc.Dtls;

/// <summary>
/// The DTLS part of a peer connection: one DTLS 1.2 association, as server (passive,
/// <see cref="DtlsServerProtocol"/> without the cookie verifier, which cannot reassemble a fragmented
/// ClientHello) or client. BouncyCastle's handshake blocks, so it runs on a thread of a bounded
/// <see cref="DtlsHandshakePool"/> (a server takes one only when the peer's first flight arrives);
/// after the handshake no thread is held: each later datagram (a retransmitted flight to answer, or
/// close_notify) is processed by <see cref="Pump"/>, which the owner runs on its serial executor
/// through the scheduler given at construction. <see cref="Connected"/> and <see cref="Failed"/> are
/// raised on the handshake thread, <see cref="Closed"/> on the pumping thread; owners hand them on to
/// their executor. Datagrams that arrive before <see cref="Start"/> are queued.
/// </summary>
internal sealed class DtlsSession : IDisposable
{
    private const int PumpWaitMillis = 1; // BouncyCastle treats 0 as "forever"; reads never block after the handshake
    private readonly bool _isServer;
    private readonly DtlsCertificate _certificate;
    private readonly string _remoteAlgorithm;
    private readonly byte[] _remoteFingerprint;
    private readonly int _timeoutMillis;
    private readonly ILogger _logger;
    private readonly DtlsDatagramChannel _channel;
    private readonly DtlsHandshakePool _pool;
    private readonly Action<Action> _schedule;
    private readonly object _transportLock = new();
    private readonly byte[] _pumpBuffer = new byte[2048];
    private DtlsTransport? _transport;
    private short? _lastWarning; // under _transportLock
    private volatile Func<int> _selectedCipherSuite = () => -1;
    private volatile Func<short?> _alert = () => null;
    private volatile bool _handshakeComplete;
    private volatile bool _closing;
    private int _started, _queued, _pumpScheduled, _ended;

    public DtlsSession(bool isServer, DtlsCertificate certificate, string remoteAlgorithm, byte[] remoteFingerprint,
        Action<ReadOnlyMemory<byte>> send, ILogger logger, int timeoutMillis = 15000, DtlsHandshakePool? pool = null,
        Action<Action>? schedule = null)
    {
        _isServer = isServer;
        _certificate = certificate;
        _remoteAlgorithm = remoteAlgorithm;
        _remoteFingerprint = remoteFingerprint;
        _timeoutMillis = timeoutMillis;
        _logger = logger;
        _channel = new DtlsDatagramChannel(send);
        _pool = pool ?? DtlsHandshakePool.Shared;
        _schedule = schedule ?? (a => ThreadPool.QueueUserWorkItem(_ => a()));
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
    /// shows it cannot be authentic (returned verdict; the datagram is then dropped silently). Never
    /// blocks: it may start a server's handshake or schedule a <see cref="Pump"/>.
    /// </summary>
    public DtlsRecordAuthenticityFilter.Verdict Enqueue(ReadOnlySpan<byte> datagram)
    {
        int minimum = DtlsRecordAuthenticityFilter.MinimumProtectedLength(_selectedCipherSuite());
        var verdict = DtlsRecordAuthenticityFilter.Check(datagram, _handshakeComplete, minimum);
        if (verdict == DtlsRecordAuthenticityFilter.Verdict.None)
        {
            _channel.Enqueue(datagram);
            if (_handshakeComplete)
            {
                SchedulePump();
            }
            else if (Volatile.Read(ref _started) != 0)
            {
                QueueHandshake();
            }
        }

        return verdict;
    }

    /// <summary>Arms the session: a client sends its ClientHello now, a server waits for the peer's first flight.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            return;
        }

        if (!_isServer || _channel.HasPending)
        {
            QueueHandshake();
        }
    }

    private void QueueHandshake()
    {
        if (Interlocked.Exchange(ref _queued, 1) == 0 && !_closing)
        {
            _pool.Run(Handshake);
        }
    }

    private void Handshake()
    {
        SrtpKeyingMaterial? keys;
        try
        {
            if (_isServer)
            {
                var server = new WebRtcDtlsServer(_certificate, _remoteAlgorithm, _remoteFingerprint, _timeoutMillis);
                _alert = () => server.AlertReceived;
                _selectedCipherSuite = () => server.SelectedCipherSuite;
                var transport = new DtlsServerProtocol().Accept(server, _channel);
                lock (_transportLock)
                {
                    _transport = transport;
                }

                keys = server.Keys;
            }
            else
            {
                var client = new WebRtcDtlsClient(_certificate, _remoteAlgorithm, _remoteFingerprint, _timeoutMillis);
                _alert = () => client.AlertReceived;
                _selectedCipherSuite = () => client.SelectedCipherSuite;
                var transport = new DtlsClientProtocol().Connect(client, _channel);
                lock (_transportLock)
                {
                    _transport = transport;
                }

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

        _channel.StopBlocking();
        _handshakeComplete = true;
        _logger.LogInformation("DTLS connected ({Role}), SRTP profile {Profile}", _isServer ? "server" : "client", keys.Profile);
        Connected?.Invoke(keys);
        SchedulePump(); // datagrams that came while the handshake thread was finishing
    }

    private void SchedulePump()
    {
        if (Interlocked.Exchange(ref _pumpScheduled, 1) == 0)
        {
            _schedule(Pump);
        }
    }

    /// <summary>
    /// Processes every queued datagram without waiting: BouncyCastle answers a retransmitted flight
    /// (our last flight was lost) by itself and ignores other handshake messages at epoch 1 (we never
    /// renegotiate: a ClientHello or HelloRequest gets no answer); close_notify or a fatal alert from the
    /// peer ends the association (<see cref="Closed"/>), a warning alert is logged and ignored. WebRTC
    /// carries no DTLS application data, so anything read is discarded.
    /// </summary>
    public void Pump()
    {
        Interlocked.Exchange(ref _pumpScheduled, 0); // full fence before looking at the queue: a datagram queued now gets its own pump
        bool ended = false;
        lock (_transportLock)
        {
            while (!_closing && _transport is not null && _channel.HasPending)
            {
                try
                {
                    int n = _transport.Receive(_pumpBuffer, 0, _pumpBuffer.Length, PumpWaitMillis);
                    if (n < 0 && _alert() is short alert)
                    {
                        if (alert == AlertDescription.close_notify)
                        {
                            _logger.LogInformation("DTLS peer sent alert {Alert}", AlertDescription.GetText(alert));
                            ended = true;
                            break;
                        }

                        // A fatal alert throws; a warning (no_renegotiation refusing a renegotiation we never
                        // ask for, user_canceled before a close_notify) does not end the association (RFC 5246 section 7.2).
                        if (alert != _lastWarning)
                        {
                            _lastWarning = alert;
                            _logger.LogInformation("DTLS peer sent warning {Alert}; ignored", AlertDescription.GetText(alert));
                        }
                    }
                }
                catch (Exception e)
                {
                    if (!_closing)
                    {
                        _logger.LogInformation("DTLS association ended: {Reason}", Describe(e));
                    }

                    ended = true;
                    break;
                }
            }
        }

        if (ended && !_closing && Interlocked.Exchange(ref _ended, 1) == 0)
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

    /// <summary>Sends close_notify (when up) and ends a handshake in progress (any thread, idempotent).</summary>
    public void Dispose()
    {
        if (_closing)
        {
            return;
        }

        _closing = true;
        lock (_transportLock)
        {
            try
            {
                _transport?.Close(); // close_notify goes out through the channel, so close that after
            }
            catch (Exception e) when (e is IOException or TlsException or ObjectDisposedException)
            {
                // best effort: the peer may be gone
            }
        }

        _channel.Close(); // unblocks a handshake thread waiting for a datagram
    }
}
