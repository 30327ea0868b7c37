namespace PersonaLive.WebRtc.Media;

/// <summary>
/// Decides which missing sequence numbers to NACK now (RFC 4585 section 6.2.1 generic NACK): each is
/// requested again every <see cref="RetryIntervalMs"/> up to <see cref="MaxRetries"/> times, and forgotten
/// when it arrives or falls out of the reorder window. Bounded to 256 tracked numbers.
/// </summary>
public sealed class NackScheduler
{
    private const int MaxTracked = 256;
    private readonly Dictionary<ushort, (int Tries, long LastMs)> _tracked = new();
    private readonly HashSet<ushort> _stillMissing = new();
    private readonly List<ushort> _gone = new();

    public int RetryIntervalMs { get; init; } = 40;
    public int MaxRetries { get; init; } = 10;

    /// <summary>Sequence numbers we have NACKed at least once (to tell retransmissions apart).</summary>
    public bool WasRequested(ushort sequence) => _tracked.ContainsKey(sequence);

    public void OnReceived(ushort sequence) => _tracked.Remove(sequence);

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

        for (int i = 0; i < missing.Count; i++)
        {
            ushort seq = missing[i];
            if (_tracked.TryGetValue(seq, out var state))
            {
                if (state.Tries < MaxRetries && nowMs - state.LastMs >= RetryIntervalMs)
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
