namespace PersonaLive.Web.Live.Sessions;

/// <summary>
/// Admission control: at most <c>maxSessions</c> live sessions at once (Limits:MaxSessions); everyone
/// else waits in a first-come queue and is told their position whenever it changes. A granted
/// <see cref="AdmissionTicket"/> holds the slot until disposed.
/// </summary>
internal sealed class AdmissionController(int maxSessions)
{
    private readonly object _lock = new();
    private readonly LinkedList<Waiter> _queue = new();
    private int _active;

    public int MaxSessions { get; } = maxSessions > 0 ? maxSessions : throw new ArgumentOutOfRangeException(nameof(maxSessions));

    public int Active { get { lock (_lock) return _active; } }

    public int Waiting { get { lock (_lock) return _queue.Count; } }

    /// <summary>Raised after the number of waiting people changed (delta), for metrics.</summary>
    public event Action<int>? WaitingChanged;

    /// <summary>A slot now, or null when the server is full (the caller then offers to wait).</summary>
    public AdmissionTicket? TryEnter()
    {
        lock (_lock)
        {
            if (_active >= MaxSessions || _queue.Count > 0) return null;
            _active++;
            return new AdmissionTicket(this);
        }
    }

    /// <summary>
    /// Waits for a slot. <paramref name="onPosition"/> gets the 1-based queue position now and on every
    /// change (called outside the lock). Cancelling leaves the queue and moves everyone behind up.
    /// </summary>
    public async Task<AdmissionTicket> EnterAsync(Action<int>? onPosition, CancellationToken cancellationToken)
    {
        Waiter waiter;
        List<(Waiter, int)> notify;
        lock (_lock)
        {
            if (_active < MaxSessions && _queue.Count == 0)
            {
                _active++;
                return new AdmissionTicket(this);
            }
            waiter = new Waiter(onPosition);
            waiter.Node = _queue.AddLast(waiter);
            notify = [(waiter, _queue.Count)];
        }
        WaitingChanged?.Invoke(1);
        Notify(notify);
        using (cancellationToken.Register(() => Leave(waiter)))
        {
            try
            {
                return await waiter.Granted.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new OperationCanceledException("Left the waiting queue.", null, cancellationToken);
            }
        }
    }

    private void Leave(Waiter waiter)
    {
        List<(Waiter, int)> notify;
        lock (_lock)
        {
            if (waiter.Node?.List is null) return; // already granted
            _queue.Remove(waiter.Node);
            waiter.Granted.TrySetCanceled();
            notify = Positions();
        }
        WaitingChanged?.Invoke(-1);
        Notify(notify);
    }

    internal void Release()
    {
        Waiter? next = null;
        List<(Waiter, int)> notify = [];
        lock (_lock)
        {
            if (_queue.First is { } first)
            {
                next = first.Value;
                _queue.RemoveFirst();
                notify = Positions();
            }
            else
            {
                _active--;
            }
        }
        if (next is not null)
        {
            // The slot passes straight to the first waiter: _active stays the same.
            WaitingChanged?.Invoke(-1);
            if (!next.Granted.TrySetResult(new AdmissionTicket(this))) Release();
        }
        Notify(notify);
    }

    private List<(Waiter, int)> Positions()
    {
        var list = new List<(Waiter, int)>(_queue.Count);
        var i = 0;
        foreach (var w in _queue) list.Add((w, ++i));
        return list;
    }

    private static void Notify(List<(Waiter W, int Position)> list)
    {
        foreach (var (w, p) in list) w.OnPosition?.Invoke(p);
    }

    private sealed class Waiter(Action<int>? onPosition)
    {
        public Action<int>? OnPosition { get; } = onPosition;
        public TaskCompletionSource<AdmissionTicket> Granted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public LinkedListNode<Waiter>? Node { get; set; }
    }
}

/// <summary>A held session slot; disposing it (once) gives the slot to the next waiter.</summary>
internal sealed class AdmissionTicket(AdmissionController owner) : IDisposable
{
    private int _released;

    public bool IsReleased => Volatile.Read(ref _released) != 0;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) owner.Release();
    }
}
