namespace PersonaLive.Web.Live.Voice;

/// <summary>
/// Holds voice packets back until their time: each packet is due at its arrival plus the delay asked for
/// then, never earlier than the packet before it (so a shrinking delay never reorders speech). Bounded:
/// when full the oldest packet is dropped and counted. Pure bookkeeping on timestamps given by the caller
/// (no clock, no thread), so the timing rule is testable on its own. Not thread-safe: the owner locks.
/// </summary>
internal sealed class VoiceDelayLine<T>(int capacity)
{
    private readonly Queue<(T Item, long Due)> _queue = new();
    private long _lastDue = long.MinValue;

    /// <summary>Packets dropped because the line was full.</summary>
    public long Dropped { get; private set; }

    public int Count => _queue.Count;

    /// <summary>When the next packet is due (same unit as the timestamps), null when empty.</summary>
    public long? NextDue => _queue.Count > 0 ? _queue.Peek().Due : null;

    /// <summary>Queues <paramref name="item"/>, due at <paramref name="arrival"/> + <paramref name="delay"/> (at least the previous due time); returns that due time.</summary>
    public long Push(T item, long arrival, long delay)
    {
        long due = Math.Max(arrival + Math.Max(0, delay), _lastDue);
        _lastDue = due;
        if (_queue.Count >= capacity)
        {
            _queue.Dequeue();
            Dropped++;
        }

        _queue.Enqueue((item, due));
        return due;
    }

    /// <summary>Moves every packet due at or before <paramref name="now"/> into <paramref name="due"/>, in order.</summary>
    public void TakeDue(long now, List<T> due)
    {
        while (_queue.Count > 0 && _queue.Peek().Due <= now)
        {
            due.Add(_queue.Dequeue().Item);
        }
    }

    /// <summary>Empties the line (session end).</summary>
    public void Clear() => _queue.Clear();
}
