namespace PersonaLive.WebRtc.Media;

/// <summary>
/// Decides which missing sequence numbers to NACK now (RFC 4585 section 6.2.1 generic NACK) and measures
/// how long a repair takes. Each number is requested again after <see cref="EffectiveRetryMs"/> up to
/// <see cref="MaxRetries"/> times, and forgotten when it arrives or falls out of the reorder window.
/// A retransmission that answers the first request gives a sample of the repair time (request to
/// arrival: the round trip plus the queue our NACK and the resend wait in); <see cref="RepairMs"/>
/// follows the samples, quickly upwards and slowly downwards, since a wait cut too short costs a keyframe.
/// The retry interval follows it: re-asking before the first answer could arrive only makes the sender
/// resend the same packet twice onto a path that is already congested. Bounded to 256 tracked numbers.
/// </summary>
public sealed class NackScheduler
{
    private const int MaxTracked = 256;

    /// <summary>Longest retry interval, however slow repairs are.</summary>
    public const int MaxRetryIntervalMs = 500;

    private readonly Dictionary<ushort, (int Tries, long LastMs)> _tracked = new();
    private readonly HashSet<ushort> _stillMissing = new();
    private readonly List<ushort> _gone = new();

    /// <summary>Shortest retry interval (used until repairs were measured).</summary>
    public int RetryIntervalMs { get; init; } = 40;

    public int MaxRetries { get; init; } = 10;

    /// <summary>Smoothed time from a first NACK to its retransmission's arrival (ms); 0 before the first sample.</summary>
    public double RepairMs { get; private set; }

    /// <summary>Repairs measured so far.</summary>
    public long RepairSamples { get; private set; }

    /// <summary>The interval after which a number still missing is requested again: a little over the repair time.</summary>
    public int EffectiveRetryMs => (int)Math.Clamp(RepairMs * 1.2 + 10, RetryIntervalMs, Math.Max(RetryIntervalMs, MaxRetryIntervalMs));

    /// <summary>Sequence numbers we have NACKed at least once (to tell retransmissions apart).</summary>
    public bool WasRequested(ushort sequence) => _tracked.ContainsKey(sequence);

    /// <summary>A packet arrived: forgets it, and when it answers our only request so far, measures the repair.</summary>
    public void OnReceived(ushort sequence, long nowMs)
    {
        if (!_tracked.Remove(sequence, out var state) || state.Tries != 1 || nowMs < state.LastMs)
        {
            return;
        }

        double sample = nowMs - state.LastMs;
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
                    _tracked[seq] = (state.Tries + 1, nowMs);
                    due.Add(seq);
                }
            }
            else if (_tracked.Count < MaxTracked)
            {
                _tracked[seq] = (1, nowMs);
                due.Add(seq);
            }
        }
    }
}
