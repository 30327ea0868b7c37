namespace PersonaLive.Web.Live.Voice;

/// <summary>
/// Holds voice packets back until their time: each packet is due at its arrival plus the delay asked for
/// then, never earlier than the packet before it (so a shrinking delay never reorders speech). With a
/// readiness test (<see cref="TakeDue(long, List{T}, Func{T, bool})"/>) a due packet also waits until it is
/// ready (its face has left), but never past its latest time (due + slack). Bounded:
/// when full the oldest packet is dropped and counted. Pure bookkeeping on timestamps given by the caller
/// (no clock, no thread), so the timing rule is testable on its own. Not thread-safe: the owner locks.
/// </summary>
internal sealed class VoiceDelayLine<T>(int capacity)
{
    private readonly Queue<(T Item, long Due, long Latest)> _queue = new();
    private long _lastDue = long.MinValue;

    /// <summary>Packets dropped because the line was full.</summary>
    public long Dropped { get; private set; }

    public int Count => _queue.Count;

    /// <summary>When the next packet is due (same unit as the timestamps), null when empty.</summary>
    public long? NextDue => _queue.Count > 0 ? _queue.Peek().Due : null;

    /// <summary>Queues <paramref name="item"/>, due at <paramref name="arrival"/> + <paramref name="delay"/> (at least the previous due time); returns that due time.</summary>
    public long Push(T item, long arrival, long delay) => Push(item, arrival, delay, slack: 0);

    /// <summary>Queues <paramref name="item"/> due at arrival + delay, waiting for readiness at most <paramref name="slack"/> longer.</summary>
    public long Push(T item, long arrival, long delay, long slack)
    {
        long due = Math.Max(arrival + Math.Max(0, delay), _lastDue);
        _lastDue = due;
        if (_queue.Count >= capacity)
        {
            _queue.Dequeue();
            Dropped++;
        }

        _queue.Enqueue((item, due, due + Math.Max(0, slack)));
        return due;
    }

    /// <summary>Moves every packet due at or before <paramref name="now"/> into <paramref name="due"/>, in order.</summary>
    public void TakeDue(long now, List<T> due) => TakeDue(now, due, static _ => true);

    /// <summary>Moves, in order, every packet that is due and either <paramref name="ready"/> or at its latest time.</summary>
    public void TakeDue(long now, List<T> due, Func<T, bool> ready)
    {
        while (_queue.Count > 0 && _queue.Peek() is var head && head.Due <= now && (head.Latest <= now || ready(head.Item)))
        {
            due.Add(_queue.Dequeue().Item);
        }
    }

    /// <summary>When to look again: the head's due time, or its latest time once due (readiness is signalled separately).</summary>
    public long? NextWake(long now) => _queue.Count == 0 ? null : _queue.Peek() is var head && head.Due > now ? head.Due : head.Latest;

    /// <summary>Empties the line (session end).</summary>
    public void Clear() => _queue.Clear();
}
