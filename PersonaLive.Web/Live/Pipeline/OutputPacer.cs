namespace PersonaLive.Web.Live.Pipeline;

/// <summary>
/// Spaces a chunk's output frames over the measured chunk interval (docs/architecture.md, data path step 6), so an
/// engine that produces 4 frames at once every 160 ms plays as a steady 25 fps instead of bursts.
/// Output i of a chunk of k is due at arrival + i x interval / k, where interval is a moving average of
/// the time between chunk arrivals (clamped to <see cref="MaxInterval"/>). Frames still waiting when the
/// next chunk arrives are released at once: pacing may smooth, never add latency that grows.
/// </summary>
/// <typeparam name="T">Output frame type.</typeparam>
internal sealed class OutputPacer<T>(TimeProvider time)
{
    /// <summary>Upper bound on the spread of one chunk (a stalled engine must not stretch the next chunk).</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromSeconds(0.5);

    private const double Smoothing = 0.25;
    private readonly object _lock = new();
    private readonly Queue<(T Frame, long DueTicks)> _queue = new();
    private long? _lastArrival;
    private double _intervalTicks;
    private readonly AsyncSignal _changed = new();
    private readonly long _origin = time.GetTimestamp();

    /// <summary>Current chunk-interval estimate (zero until two chunks arrived).</summary>
    public TimeSpan ChunkInterval { get { lock (_lock) return TimeSpan.FromTicks((long)_intervalTicks); } }

    /// <summary>Frames waiting to be sent.</summary>
    public int Pending { get { lock (_lock) return _queue.Count; } }

    /// <summary>Adds a chunk's outputs (in order) and updates the interval estimate.</summary>
    public void Enqueue(IReadOnlyList<T> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        lock (_lock)
        {
            var now = NowTicks();
            if (_lastArrival is { } last)
            {
                var measured = Math.Min(now - last, MaxInterval.Ticks);
                _intervalTicks = _intervalTicks == 0 ? measured : _intervalTicks + Smoothing * (measured - _intervalTicks);
            }
            _lastArrival = now;

            // Release leftovers of the previous chunk now: they are already late.
            var n = _queue.Count;
            for (var i = 0; i < n; i++)
            {
                var (f, _) = _queue.Dequeue();
                _queue.Enqueue((f, now));
            }
            for (var i = 0; i < frames.Count; i++)
                _queue.Enqueue((frames[i], now + (long)(i * _intervalTicks / frames.Count)));
        }
        _changed.Set();
    }

    /// <summary>Removes and returns frames due now; <paramref name="nextDue"/> is the wait until the next one (null if none).</summary>
    public List<T> TakeDue(out TimeSpan? nextDue)
    {
        var due = new List<T>();
        TakeDue(due, out nextDue);
        return due;
    }

    private void TakeDue(List<T> due, out TimeSpan? nextDue)
    {
        lock (_lock)
        {
            var now = NowTicks();
            while (_queue.TryPeek(out var head) && head.DueTicks <= now)
                due.Add(_queue.Dequeue().Frame);
            nextDue = _queue.TryPeek(out var next) ? TimeSpan.FromTicks(next.DueTicks - now) : null;
        }
    }

    /// <summary>Sends frames as they become due until cancelled. <paramref name="send"/> runs on this loop's thread.</summary>
    public async Task RunAsync(Action<T> send, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(send);
        // Per frame this loop makes no garbage: a reused list, a reusable signal that Enqueue, one timer
        // (re-armed, for frames due later) and one cancellation registration all set.
        using var registration = cancellationToken.UnsafeRegister(static signal => ((AsyncSignal)signal!).Set(), _changed);
        using var timer = time.CreateTimer(static signal => ((AsyncSignal)signal!).Set(), _changed, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        var due = new List<T>();
        while (!cancellationToken.IsCancellationRequested)
        {
            TakeDue(due, out var wait);
            foreach (var f in due) send(f);
            due.Clear();
            if (wait is { } w) timer.Change(w, Timeout.InfiniteTimeSpan);
            await _changed.WaitAsync().ConfigureAwait(false); // woken by Enqueue, the timer or cancellation
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Removes everything still queued (session end) so the caller can dispose it.</summary>
    public List<T> Drain()
    {
        lock (_lock)
        {
            var all = _queue.Select(q => q.Frame).ToList();
            _queue.Clear();
            return all;
        }
    }

    private long NowTicks() => time.GetElapsedTime(_origin).Ticks;
}
