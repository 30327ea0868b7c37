using System.Net;

namespace PersonaLive.WebRtc.Ice;

/// <summary>
/// The controlling agent's check list for one component (RFC 8445 sections 6.1.2, 6.1.4, 7.2, 8.1.1),
/// reduced to what a client with one host address needs: one pair per remote candidate, in the answer's
/// order (its priority order), plus peer-reflexive ones learnt from the remote's own checks (section
/// 7.3.1.3). Until a pair is valid, one ordinary check leaves every Ta = 50 ms (section 14.2), round robin,
/// a triggered check (section 7.3.1.4) jumping the queue; the first valid pair is selected and then
/// nominated by repeating its check with USE-CANDIDATE until that succeeds (regular nomination); after
/// that one check a second keeps consent (RFC 7675). Works against full agents (who also check us) and
/// ICE-lite ones (who only answer). Pure bookkeeping; the caller owns sockets and time. Thread-safe.
/// </summary>
public sealed class IceCheckList
{
    /// <summary>Pacing of checks before nomination (RFC 8445 section 14.2).</summary>
    public const int TaMs = 50;

    /// <summary>Pacing of consent checks once nominated (RFC 7675 section 5.1 allows 4-6 s; we keep 1 s for a quick failure signal).</summary>
    public const int ConsentIntervalMs = 1000;

    /// <summary>At most this many pairs (a hostile answer cannot make us spray checks).</summary>
    public const int MaxPairs = 8;

    private readonly IceControllingChecker _checker;
    private readonly List<IPEndPoint> _pairs = new();
    private readonly object _lock = new();
    private IPEndPoint? _triggered;
    private int _next;
    private long _lastSentMs = long.MinValue / 2;

    public IceCheckList(IceControllingChecker checker, IEnumerable<IPEndPoint> remoteCandidates)
    {
        ArgumentNullException.ThrowIfNull(remoteCandidates);
        _checker = checker;
        foreach (var c in remoteCandidates)
        {
            Add(c);
        }
    }

    /// <summary>The first pair a check succeeded on (media and DTLS go there); null before.</summary>
    public IPEndPoint? Selected { get; private set; }

    /// <summary>Whether the selected pair's USE-CANDIDATE check succeeded (section 8.1.1 nomination done).</summary>
    public bool Nominated { get; private set; }

    /// <summary>The remote addresses we check (answer candidates, then peer-reflexive ones).</summary>
    public IReadOnlyList<IPEndPoint> Pairs
    {
        get { lock (_lock) { return _pairs.ToList(); } }
    }

    /// <summary>The check to send now, if one is due.</summary>
    public (byte[] Request, IPEndPoint To)? Due(long nowMs)
    {
        lock (_lock)
        {
            int interval = Nominated ? ConsentIntervalMs : TaMs;
            if (_pairs.Count == 0 || nowMs - _lastSentMs < interval)
            {
                return null;
            }

            _lastSentMs = nowMs;
            if (Selected is { } selected)
            {
                return (_checker.CreateRequest(selected, useCandidate: !Nominated), selected);
            }

            var to = _triggered ?? _pairs[_next++ % _pairs.Count];
            _triggered = null;
            return (_checker.CreateRequest(to, useCandidate: false), to);
        }
    }

    /// <summary>A response arrived from <paramref name="source"/>; true when it made the first pair valid (selected).</summary>
    public bool OnResponse(StunMessage response, IPEndPoint source, out bool accepted)
    {
        var result = _checker.AcceptResponse(response, source);
        accepted = result.Accepted;
        if (!accepted)
        {
            return false;
        }

        lock (_lock)
        {
            bool first = Selected is null;
            Selected ??= source;
            if (result.Nominating && source.Equals(Selected) && !Nominated)
            {
                Nominated = true;
                _lastSentMs = long.MinValue / 2; // consent pacing starts now
            }

            return first;
        }
    }

    /// <summary>
    /// The remote checked us from <paramref name="source"/> (authenticated): an unknown address becomes a
    /// peer-reflexive pair, and before selection its check is triggered (sent next, without waiting for Ta).
    /// True when the address is new.
    /// </summary>
    public bool OnRemoteCheck(IPEndPoint source)
    {
        lock (_lock)
        {
            bool added = !_pairs.Contains(source) && Add(source);
            if (Selected is null && _pairs.Contains(source))
            {
                _triggered = source;
                _lastSentMs = long.MinValue / 2;
            }

            return added;
        }
    }

    private bool Add(IPEndPoint candidate)
    {
        if (_pairs.Count >= MaxPairs || _pairs.Contains(candidate))
        {
            return false;
        }

        _pairs.Add(candidate);
        return true;
    }
}
