using System.Threading.Tasks.Sources;

namespace PersonaLive.Web.Live.Pipeline;

/// <summary>
/// A reusable "something changed" signal for one waiter at a time (the frame gate's engine worker, the
/// pacer's send loop), awaited once per frame. Unlike a new TaskCompletionSource per wait it allocates
/// nothing: the waiter awaits a <see cref="ValueTask"/> over this one object. A <see cref="Set"/> with no
/// waiter is remembered, so a wake-up that comes between a check and the wait is never lost.
/// Continuations run asynchronously (never on the thread that calls <see cref="Set"/>).
/// </summary>
internal sealed class AsyncSignal : IValueTaskSource
{
    private readonly object _lock = new();
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private bool _set;
    private bool _waiting;

    /// <summary>Completes once <see cref="Set"/> was called since the last wait completed. One waiter at a time.</summary>
    public ValueTask WaitAsync()
    {
        lock (_lock)
        {
            if (_waiting) throw new InvalidOperationException("AsyncSignal allows one waiter at a time.");
            if (_set)
            {
                _set = false;
                return ValueTask.CompletedTask;
            }
            _waiting = true;
            _core.Reset();
            return new ValueTask(this, _core.Version);
        }
    }

    /// <summary>Wakes the waiter, or the next one if none waits now.</summary>
    public void Set()
    {
        lock (_lock)
        {
            if (!_waiting)
            {
                _set = true;
                return;
            }
            _waiting = false;
        }
        _core.SetResult(true);
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
