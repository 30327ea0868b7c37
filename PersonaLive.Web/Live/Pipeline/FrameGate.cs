using System.Runtime.CompilerServices;

namespace PersonaLive.Web.Live.Pipeline;

/// <summary>
/// The bounded buffer between the camera and the engine (docs/architecture.md, data path step 4). It never
/// lets latency grow by more than <c>slack</c> frames: when the engine is ready for its next chunk it takes
/// <c>chunkSize</c> frames evenly spaced over the frames that arrived since the last chunk, leaving at most
/// the newest <c>slack</c> frames waiting for the next chunk (with no slack the newest is always taken),
/// and drops the rest. A slack of one lets a worker that came one frame late (another session's decode,
/// another process) take the older frame and catch up on the next, instead of dropping a frame each time
/// it is a little late; a worker that stays behind still drops, and stays at most one frame behind. If
/// frames pile up faster than the engine runs, the oldest are dropped on arrival (capacity bound);
/// frames still waiting when the gate closes are dropped too. Every drop (eviction,
/// not selected, left at close) is counted exactly once in <see cref="Dropped"/> and reported to the
/// optional drop callback, and the dropped item disposed, so at any time
/// <c>Accepted == Delivered + Dropped + Count</c>.
/// </summary>
/// <typeparam name="T">Frame type; dropped frames are disposed.</typeparam>
internal sealed class FrameGate<T> : IDisposable where T : class, IDisposable
{
    private readonly object _lock = new();
    private readonly List<T> _pending = [];
    private readonly List<T> _dropScratch = [];
    private readonly int _capacity;
    private readonly int _slack;
    private readonly Action<int>? _onDropped;
    private readonly AsyncSignal _arrived = new();
    private bool _closed;
    private long _dropped, _accepted, _delivered;

    /// <param name="capacity">Most frames held at once; at least the largest chunk size used.</param>
    /// <param name="onDropped">Called (outside the lock) with the number of frames each drop discarded; feeds the drop metric.</param>
    /// <param name="slack">Newest frames that may stay waiting when a chunk is taken (0: the newest is always taken).</param>
    public FrameGate(int capacity, Action<int>? onDropped = null, int slack = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(slack);
        _capacity = capacity;
        _slack = slack;
        _onDropped = onDropped;
    }

    /// <summary>Frames dropped (capacity overflow, not selected for a chunk, or still pending at close).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Frames pushed in.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Frames handed to the engine.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Frames waiting now.</summary>
    public int Count { get { lock (_lock) return _pending.Count; } }

    /// <summary>Adds a frame (producer side, media thread). Returns false (and disposes it) once closed.</summary>
    public bool Push(T frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        T? evicted = null;
        lock (_lock)
        {
            if (_closed) { frame.Dispose(); return false; }
            _accepted++;
            if (_pending.Count >= _capacity)
            {
                evicted = _pending[0];
                _pending.RemoveAt(0);
                _dropped++;
            }
            _pending.Add(frame);
        }
        if (evicted is not null)
        {
            evicted.Dispose();
            _onDropped?.Invoke(1);
        }
        _arrived.Set();
        return true;
    }

    /// <summary>
    /// Waits until at least <paramref name="chunkSize"/> frames wait (new ones, or ones the slack left from
    /// the last chunk), then takes the selection, leaves the slack waiting and drops the others. Returns null when the gate was closed.
    /// </summary>
    /// <remarks>
    /// Called once per chunk, so it keeps its garbage small: the state machine comes from a pool, and
    /// the wait is a reusable signal, and cancellation wakes it through one registration instead of a cancellable
    /// wrapper task per wait.
    /// </remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<IReadOnlyList<T>?> TakeChunkAsync(int chunkSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkSize, _capacity);
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static gate => ((FrameGate<T>)gate!).WakeTaker(), this)
            : default;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (chunk, wait) = TryTake(chunkSize);
            if (!wait) return chunk;
            await _arrived.WaitAsync().ConfigureAwait(false); // a Set since the check is remembered: no lost wake-up
        }
    }

    private void WakeTaker() => _arrived.Set();

    /// <summary>Takes a chunk now if enough frames arrived; otherwise says to wait for the next arrival.</summary>
    private (IReadOnlyList<T>? Chunk, bool Wait) TryTake(int chunkSize)
    {
        T[] chunk;
        var drop = _dropScratch; // one taker at a time (the engine worker), so the scratch list is its own
        drop.Clear();
        lock (_lock)
        {
            if (_closed) return (null, false);
            if (_pending.Count < chunkSize) return (null, true);
            chunk = new T[chunkSize];
            var n = _pending.Count - Math.Min(_slack, _pending.Count - chunkSize); // the newest `slack` wait for the next chunk
            var next = 0;
            for (var i = 0; i < n; i++)
            {
                if (next < chunkSize && Pick(n, chunkSize, next) == i) chunk[next++] = _pending[i];
                else drop.Add(_pending[i]);
            }
            _pending.RemoveRange(0, n);
            _dropped += drop.Count;
            _delivered += chunkSize;
        }
        foreach (var d in drop) d.Dispose();
        var dropped = drop.Count;
        drop.Clear();
        if (dropped > 0) _onDropped?.Invoke(dropped);
        return (chunk, false);
    }

    /// <summary>
    /// Indices of <paramref name="k"/> frames evenly spaced over <paramref name="n"/> arrivals, newest
    /// (n-1) included: index_i = ceil((i+1) n / k) - 1. n = k takes all; k = 1 takes the newest.
    /// </summary>
    public static int[] SelectEvenly(int n, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, k);
        var picks = new int[k];
        for (var i = 0; i < k; i++)
            picks[i] = Pick(n, k, i);
        return picks;
    }

    private static int Pick(int n, int k, int i) => (int)(((long)(i + 1) * n + k - 1) / k) - 1;

    /// <summary>Stops the gate: waiting takers return null, pending frames are dropped (counted) and disposed.</summary>
    public void Close()
    {
        List<T> left;
        lock (_lock)
        {
            _closed = true;
            left = [.. _pending];
            _pending.Clear();
            _dropped += left.Count;
        }
        foreach (var f in left) f.Dispose();
        if (left.Count > 0) _onDropped?.Invoke(left.Count);
        _arrived.Set();
    }

    public void Dispose() => Close();
}
