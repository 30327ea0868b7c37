namespace PersonaLive.WebRtc.Media;

/// <summary>
/// Decides which missing sequence numbers to NACK now (RFC 4585 section 6.2.1 generic NACK) and measures
/// how long a repair takes. Each number is requested again after <see cref="EffectiveRetryMs"/> up to
/// <see cref="MaxRetries"/> times, and forgotten when it arrives or falls out of the reorder window.
/// A retransmission's arrival gives a sample of the repair time (first request to arrival: the round
/// trip plus the queue our NACK and the resend wait in); <see cref="RepairMs"/>
/// follows the samples, quickly upwards and slowly downwards, since a wait cut too short costs a keyframe.
/// The retry interval follows it: re-asking before the first answer could arrive only makes the sender
/// resend the same packet twice onto a path that is already congested. A first request is echoed once,
/// <see cref="EchoAfterMs"/> later (the next timer tick): a NACK is one small packet on a path that may
/// lose 1 % or more, and a lost first request otherwise costs a whole retry interval, long enough for the
/// frame to be given up and a keyframe to be asked for (RFC 4585 section 3.2 leaves the timing of early
/// feedback to the receiver). The sender resends a number at most once per its minimum interval, so the
/// echo costs a resend only when the first request was lost. Bounded to 256 tracked numbers.
/// </summary>
public sealed class NackScheduler
{
    private const int MaxTracked = 256;

    /// <summary>Longest retry interval, however slow repairs are.</summary>
    public const int MaxRetryIntervalMs = 500;

    private readonly Dictionary<ushort, (int Tries, long LastMs, bool Echoed, long FirstMs)> _tracked = new();
    private readonly HashSet<ushort> _stillMissing = new();
    private readonly List<ushort> _gone = new();

    /// <summary>Shortest retry interval (used until repairs were measured).</summary>
    public int RetryIntervalMs { get; init; } = 40;

    public int MaxRetries { get; init; } = 10;

    /// <summary>A first request is sent once more this long after it (0: never), in case the first was lost on the way.</summary>
    public int EchoAfterMs { get; init; } = 20;

    /// <summary>Smoothed time from a first NACK to its retransmission's arrival (ms); 0 before the first sample.</summary>
    public double RepairMs { get; private set; }

    /// <summary>Repairs measured so far.</summary>
    public long RepairSamples { get; private set; }

    /// <summary>The interval after which a number still missing is requested again: a little over the repair time.</summary>
    public int EffectiveRetryMs => (int)Math.Clamp(RepairMs * 1.2 + 10, RetryIntervalMs, Math.Max(RetryIntervalMs, MaxRetryIntervalMs));

    /// <summary>Sequence numbers we have NACKed at least once (to tell retransmissions apart).</summary>
    public bool WasRequested(ushort sequence) => _tracked.ContainsKey(sequence);

    /// <summary>
    /// A packet arrived: forgets it and, when we had asked for it, measures the repair from our first
    /// request. A retry may have been answered instead, so a sample can be long by one retry interval; but
    /// counting only packets asked for once would measure nothing on a path whose round trip exceeds the
    /// first retry interval, leaving the frame-loss wait on the RTCP round trip, which misses the queue.
    /// </summary>
    public void OnReceived(ushort sequence, long nowMs)
    {
        if (!_tracked.Remove(sequence, out var state) || nowMs < state.FirstMs)
        {
            return;
        }

        double sample = nowMs - state.FirstMs;
        RepairMs = RepairSamples++ == 0 ? sample : RepairMs + (sample - RepairMs) * (sample > RepairMs ? 0.3 : 0.05);
    }

    /// <summary>Given the currently missing numbers, returns those due for a (re)request (no allocation: it runs every timer tick).</summary>
    public void Due(IReadOnlyList<ushort> missing, long nowMs, List<ushort> due)
    {
        ArgumentNullException.ThrowIfNull(missing);
        ArgumentNullException.ThrowIfNull(due);
        if (missing.Count == 0 && _tracked.Count == 0)
        {
            return;
        }

        _stillMissing.Clear();
        for (int i = 0; i < missing.Count; i++)
        {
            _stillMissing.Add(missing[i]);
        }

        _gone.Clear();
        foreach (var seq in _tracked.Keys)
        {
            if (!_stillMissing.Contains(seq))
            {
                _gone.Add(seq);
            }
        }

        foreach (var seq in _gone)
        {
            _tracked.Remove(seq);
        }

        int retry = EffectiveRetryMs;
        for (int i = 0; i < missing.Count; i++)
        {
            ushort seq = missing[i];
            if (_tracked.TryGetValue(seq, out var state))
            {
                if (state.Tries < MaxRetries && nowMs - state.LastMs >= retry)
                {
                    _tracked[seq] = (state.Tries + 1, nowMs, true, state.FirstMs);
                    due.Add(seq);
                }
                else if (!state.Echoed && EchoAfterMs > 0 && nowMs - state.LastMs >= EchoAfterMs)
                {
                    _tracked[seq] = state with { Echoed = true }; // the repair still counts from the first request
                    due.Add(seq);
                }
            }
            else if (_tracked.Count < MaxTracked)
            {
                _tracked[seq] = (1, nowMs, false, nowMs);
                due.Add(seq);
            }
        }
    }
}
