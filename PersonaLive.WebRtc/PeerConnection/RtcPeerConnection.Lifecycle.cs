using Microsoft.Extensions.Logging;
using PersonaLive.WebRtc.Dtls;
using PersonaLive.WebRtc.Sdp;

namespace PersonaLive.WebRtc.PeerConnection;

public sealed partial class RtcPeerConnection
{
    private readonly object _stateLock = new();
    private int _closed;
    private long _lastKeyframeRequestMs = -1_000_000;

    private bool IsClosed => Volatile.Read(ref _closed) != 0;

    private void StartDtls(bool isServer, NegotiatedVideo video)
    {
        var dtls = new DtlsSession(isServer, _server.Certificate, video.RemoteFingerprintAlgorithm, video.RemoteFingerprint,
            SendDtls, _logger, _options.DtlsHandshakeTimeoutSeconds * 1000, _server.HandshakePool, _executor.Post);
        // Connected and Failed come from a handshake thread, Closed from a pump: all handed to the executor.
        dtls.Connected += keys => _executor.Post(k => OnDtlsConnected((SrtpKeyingMaterial)k!), keys);
        dtls.Failed += e => _executor.Post(() => Fail($"DTLS handshake failed: {e.Message}"));
        dtls.Closed += () => _executor.Post(() =>
        {
            _logger.LogInformation("Remote closed the DTLS association");
            Close();
        });
        _dtls = dtls;
        if (isServer)
        {
            dtls.Start(); // takes a handshake slot when the ClientHello arrives; early datagrams are queued
        }
    }

    private void SendDtls(ReadOnlyMemory<byte> datagram)
    {
        var target = _ice.Selected;
        if (target is not null)
        {
            _server.Send(datagram.Span, target);
        }
    }

    /// <summary>
    /// The SRTP master keys DTLS exported for this connection, once connected. Fuzzing and benchmarks use
    /// the peer side's copy to send packets the other side authenticates (hostile payload, valid tag).
    /// </summary>
    internal SrtpKeyingMaterial? NegotiatedKeys { get; private set; }

    /// <summary>Executor: keys are here; install them, replay early media, start decoding, go Connected.</summary>
    private void OnDtlsConnected(SrtpKeyingMaterial keys)
    {
        if (IsClosed)
        {
            return;
        }

        NegotiatedKeys = keys;

        foreach (var (kind, data) in _srtp.Start(keys))
        {
            ProcessSecure(kind, data);
        }

        var video = _video!;
        if (video.WeReceive)
        {
            _receiver.StartDecoding(
                frame => _handlers.Raise(FrameAssembled, this, frame, nameof(FrameAssembled)),
                frame => _handlers.Raise(FrameDecoded, this, frame, nameof(FrameDecoded)));
        }

        if (video.WeSend)
        {
            // A joining receiver needs a keyframe; raised before Connected so observers of the state
            // can rely on the request having been made.
            RaiseKeyframeRequested(force: true);
        }

        SetState(PeerConnectionState.Connected);
    }

    /// <summary>
    /// Changes the state atomically (Closed is final, Failed only leads to Closed) and queues the event on
    /// the executor while still holding the state lock, so observers see changes in the order they happened.
    /// </summary>
    internal void SetState(PeerConnectionState state)
    {
        lock (_stateLock)
        {
            if (ConnectionState == state || ConnectionState == PeerConnectionState.Closed
                || (ConnectionState == PeerConnectionState.Failed && state != PeerConnectionState.Closed))
            {
                return;
            }

            ConnectionState = state;
            _executor.Post(s => _handlers.Raise(ConnectionStateChanged, this, (PeerConnectionState)s!, nameof(ConnectionStateChanged)), state);
        }

        _logger.LogInformation("Peer connection {Ufrag} is {State}", LocalUfrag, state);
    }

    private void Fail(string reason)
    {
        if (IsClosed)
        {
            return;
        }

        _logger.LogWarning("Peer connection {Ufrag} failed: {Reason}", LocalUfrag, reason);
        SetState(PeerConnectionState.Failed);
        Close();
    }

    /// <summary>
    /// Executor: coalesces keyframe requests to one per 300 ms (a lossy viewer must not cause a keyframe
    /// storm) and leaves a request that our last keyframe, still in flight, answers to that keyframe.
    /// </summary>
    private void RaiseKeyframeRequested(bool force)
    {
        long now = NowMs;
        if (!force && (now - _lastKeyframeRequestMs < 300 || _sender.KeyframeInFlightCovers(now, _feedback.RoundTripMs)))
        {
            return;
        }

        _lastKeyframeRequestMs = now;
        _sender.ForceKeyframe();
        _handlers.Raise(KeyframeRequested, this, nameof(KeyframeRequested));
    }

    /// <summary>
    /// Sends RTCP BYE and DTLS close_notify, stops all work and frees native codec handles. Safe from any
    /// thread, at any time, any number of times (one caller wins; the others return at once); a send or
    /// receive in progress finishes or is refused by its part's lock, never touches freed state.
    /// </summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        if (ConnectionState == PeerConnectionState.Connected)
        {
            SendBye();
        }

        StopTimer();
        _server.Remove(this);
        _dtls?.Dispose();
        _receiver.Stop();
        StopPacer();
        _sender.Close();
        _audioSender.Close();
        _srtp.Dispose();
        SetState(PeerConnectionState.Closed);
    }

    public void Dispose() => Close();

    /// <summary>
    /// Closes, then waits for the decode worker and the events already queued. Called from one
    /// of this connection's own event handlers (even blocking on it) it does not wait for the executor,
    /// which is running that handler.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        bool onExecutor = _executor.IsCurrent;
        Close();
        await _receiver.Completion.ConfigureAwait(false);
        if (!onExecutor)
        {
            await _executor.WhenDrained().ConfigureAwait(false);
        }
    }
}
