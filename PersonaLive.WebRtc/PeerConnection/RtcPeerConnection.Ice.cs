using Microsoft.Extensions.Logging;
using System.Net;
using PersonaLive.WebRtc.Ice;

namespace PersonaLive.WebRtc.PeerConnection;

public sealed partial class RtcPeerConnection
{
    private readonly IceLiteResponder _responder;
    private readonly HashSet<IPEndPoint> _validTuples = new();
    private volatile IPEndPoint? _selected;
    private long _lastConsentMs = -1;
    private IceControllingChecker? _checker;
    private IPEndPoint? _remoteCandidate;
    private long _lastCheckSentMs;
    private long _stunRejected;

    /// <summary>
    /// An authenticated binding request (answerer role): answer, remember the tuple as valid, select it
    /// when it is the first or carries USE-CANDIDATE, and refresh consent (RFC 7675).
    /// </summary>
    internal void HandleStunRequest(StunMessage request, IPEndPoint source, Transport.UdpMediaSocket via)
    {
        if (_closing.IsCancellationRequested || _isOfferer)
        {
            return;
        }

        var result = _responder.Process(request, source);
        if (result.Outcome == IceCheckOutcome.Ignored)
        {
            Interlocked.Increment(ref _stunRejected);
            return;
        }

        if (result.Response is not null)
        {
            RtcMediaServer.Reply(result.Response, source, via);
        }

        if (result.Outcome != IceCheckOutcome.Accepted)
        {
            Interlocked.Increment(ref _stunRejected);
            return;
        }

        bool first;
        lock (_validTuples)
        {
            first = _validTuples.Count == 0;
            if (_validTuples.Count < 8)
            {
                _validTuples.Add(source);
            }
        }

        _server.Bind(source, this);
        if (first || result.UseCandidate || _selected is null)
        {
            if (!source.Equals(_selected))
            {
                _logger.LogInformation("ICE selected {Remote} (nominated: {Nominated})", source, result.UseCandidate);
            }

            _selected = source;
            _server.Route(source, via);
        }

        Volatile.Write(ref _lastConsentMs, NowMs);
        if (ConnectionState == PeerConnectionState.New)
        {
            SetState(PeerConnectionState.Connecting);
        }
        else if (ConnectionState == PeerConnectionState.Disconnected && _outbound is not null)
        {
            SetState(PeerConnectionState.Connected);
        }
    }

    /// <summary>A response to one of our checks (offerer role): authenticated success selects the pair and starts DTLS.</summary>
    internal void HandleStunResponse(StunMessage response, IPEndPoint source)
    {
        if (_checker is null || !source.Equals(_remoteCandidate) || !_checker.AcceptResponse(response))
        {
            Interlocked.Increment(ref _stunRejected);
            return;
        }

        lock (_validTuples)
        {
            _validTuples.Add(source);
        }

        bool firstSuccess = _selected is null;
        _selected = source;
        Volatile.Write(ref _lastConsentMs, NowMs);
        if (firstSuccess)
        {
            _logger.LogInformation("ICE check to {Remote} succeeded; starting DTLS client", source);
            _dtls?.Start();
        }
        else if (ConnectionState == PeerConnectionState.Disconnected && _outbound is not null)
        {
            SetState(PeerConnectionState.Connected);
        }
    }

    private bool IsValidTuple(IPEndPoint source)
    {
        lock (_validTuples)
        {
            return _validTuples.Contains(source);
        }
    }

    /// <summary>Offerer: checks every 50 ms until the first success, then every second for consent.</summary>
    private void SendChecksIfDue(long now)
    {
        if (_checker is null || _remoteCandidate is null)
        {
            return;
        }

        int interval = _selected is null ? 50 : 1000;
        if (now - _lastCheckSentMs >= interval)
        {
            _lastCheckSentMs = now;
            _server.Send(_checker.CreateRequest(now), _remoteCandidate);
        }
    }

    /// <summary>Consent freshness: Disconnected after a third of the timeout without consent, Failed after all of it.</summary>
    private void CheckConsent(long now)
    {
        long last = Volatile.Read(ref _lastConsentMs);
        if (last < 0)
        {
            if (_video is not null && now - _createdMs > _options.ConsentTimeoutSeconds * 1000L)
            {
                Fail("no ICE connectivity check arrived");
            }

            return;
        }

        long silent = now - last;
        long timeout = _options.ConsentTimeoutSeconds * 1000L;
        if (silent > timeout)
        {
            Fail($"no ICE consent for {silent / 1000} s");
        }
        else if (silent > Math.Max(timeout / 3, 5000) && ConnectionState == PeerConnectionState.Connected)
        {
            SetState(PeerConnectionState.Disconnected);
        }
    }

    private readonly long _createdMs = Environment.TickCount64;
}
