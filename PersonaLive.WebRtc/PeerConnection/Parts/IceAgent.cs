using System.Net;
using PersonaLive.WebRtc.Ice;

namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// The ICE part of a peer connection: answers authenticated Binding requests as an ICE-lite agent
/// (RFC 8445 section 2.5) or runs the checks as the controlling side (<see cref="IceCheckList"/>), keeps the valid
/// paths (only they may talk DTLS/SRTP) and the selected one, and tracks consent freshness
/// (RFC 7675 section 5.1). It decides; the connection acts on its results on its executor. Safe to call
/// from the socket threads and the executor at once (one small lock, volatile reads for the hot path).
/// </summary>
internal sealed class IceAgent
{
    private const int MaxValidPaths = 8;
    private readonly string _localPassword;
    private volatile IceLiteResponder _responder;
    private readonly HashSet<IPEndPoint> _valid = new();
    private volatile IPEndPoint? _selected;
    private volatile IceCheckList? _checks;
    private long _lastConsentMs = -1;
    private long _rejected;

    public IceAgent(string localUfrag, string localPassword)
    {
        _localPassword = localPassword;
        _responder = new IceLiteResponder(localUfrag, localPassword);
    }

    /// <summary>The path media and DTLS go to; null before the first authenticated check.</summary>
    public IPEndPoint? Selected => _selected;

    /// <summary>Whether we run the checks (offerer) rather than answer them.</summary>
    public bool IsControlling => _checks is not null;

    /// <summary>STUN requests or responses that failed authentication or were not for us.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>When consent was last refreshed (ms tick), -1 before any.</summary>
    public long LastConsentMs => Volatile.Read(ref _lastConsentMs);

    /// <summary>Answerer: checks a request; the caller sends <see cref="RequestResult.Response"/> and routes when <see cref="RequestResult.Select"/>.</summary>
    public RequestResult HandleRequest(StunMessage request, IPEndPoint source, long nowMs)
    {
        var result = _responder.Process(request, source);
        if (result.Outcome != IceCheckOutcome.Accepted)
        {
            Interlocked.Increment(ref _rejected);
            return new RequestResult(result.Response, false, false, false);
        }

        bool first;
        lock (_valid)
        {
            first = _valid.Count == 0;
            if (_valid.Count < MaxValidPaths)
            {
                _valid.Add(source);
            }
        }

        bool select = first || result.UseCandidate || _selected is null;
        bool changed = select && !source.Equals(_selected);
        if (select)
        {
            _selected = source;
        }

        RefreshConsent(nowMs);
        return new RequestResult(result.Response, true, select, changed, result.UseCandidate);
    }

    /// <summary>
    /// Offerer: we are the controlling agent (RFC 8445 section 6.1.1). Checks every usable candidate of the
    /// answer (<see cref="IceCheckList"/>) and answers the remote's own checks as the controlling side.
    /// </summary>
    public void StartChecks(string localUfrag, string remoteUfrag, string remotePassword, IReadOnlyList<IPEndPoint> remotes)
    {
        _responder = new IceLiteResponder(localUfrag, _localPassword, controlling: true);
        _checks = new IceCheckList(new IceControllingChecker(localUfrag, remoteUfrag, remotePassword), remotes);
    }

    /// <summary>Offerer: the addresses we check (responses from them are ours).</summary>
    public IReadOnlyList<IPEndPoint> CheckedAddresses => _checks?.Pairs ?? [];

    /// <summary>Offerer: whether our nomination of the selected pair succeeded (RFC 8445 section 8.1.1).</summary>
    public bool Nominated => _checks?.Nominated ?? false;

    /// <summary>Offerer: an authenticated success from a checked address; the first one selects that pair (true then).</summary>
    public bool HandleResponse(StunMessage response, IPEndPoint source, long nowMs, out bool accepted)
    {
        var checks = _checks;
        accepted = false;
        bool first = checks is not null && checks.OnResponse(response, source, out accepted);
        if (!accepted)
        {
            Interlocked.Increment(ref _rejected);
            return false;
        }

        lock (_valid)
        {
            if (_valid.Count < MaxValidPaths) _valid.Add(source);
        }

        _selected = checks!.Selected;
        RefreshConsent(nowMs);
        return first;
    }

    /// <summary>
    /// Offerer: a full remote agent checks us too (RFC 8445 section 7.3): answer it as the controlling side;
    /// an authenticated check teaches a peer-reflexive address and triggers our check to it. It never
    /// selects by itself: selection follows our own successful checks.
    /// </summary>
    public RequestResult HandleRequestAsControlling(StunMessage request, IPEndPoint source, long nowMs, out bool newAddress)
    {
        newAddress = false;
        var result = _responder.Process(request, source);
        if (result.Outcome != IceCheckOutcome.Accepted || _checks is not { } checks)
        {
            Interlocked.Increment(ref _rejected);
            return new RequestResult(result.Response, false, false, false);
        }

        newAddress = checks.OnRemoteCheck(source);
        RefreshConsent(nowMs);
        return new RequestResult(result.Response, true, false, false);
    }

    /// <summary>Offerer (executor only): the check to send now, if one is due.</summary>
    public (byte[] Request, IPEndPoint To)? CheckDue(long nowMs) => _checks?.Due(nowMs);

    public bool IsValid(IPEndPoint source)
    {
        lock (_valid)
        {
            return _valid.Contains(source);
        }
    }

    /// <summary>Authenticated traffic proves the peer is alive as well as a consent check does.</summary>
    public void RefreshConsent(long nowMs) => Volatile.Write(ref _lastConsentMs, nowMs);

    /// <summary>
    /// Consent verdict: <see cref="Consent.Failed"/> after <paramref name="timeoutMs"/> without consent (or
    /// without any check since <paramref name="createdMs"/>), <see cref="Consent.Stale"/> after a third of it.
    /// </summary>
    public Consent CheckConsent(long nowMs, long createdMs, long timeoutMs, out long silentMs)
    {
        long last = LastConsentMs;
        if (last < 0)
        {
            silentMs = nowMs - createdMs;
            return silentMs > timeoutMs ? Consent.NeverChecked : Consent.Fresh;
        }

        silentMs = nowMs - last;
        if (silentMs > timeoutMs)
        {
            return Consent.Failed;
        }

        return silentMs > Math.Max(timeoutMs / 3, 5000) ? Consent.Stale : Consent.Fresh;
    }

    /// <summary>The outcome of one Binding request.</summary>
    public readonly record struct RequestResult(byte[]? Response, bool Accepted, bool Select, bool SelectionChanged, bool Nominated = false);

    /// <summary>Consent freshness state.</summary>
    public enum Consent
    {
        Fresh,
        Stale,
        Failed,
        NeverChecked,
    }
}
