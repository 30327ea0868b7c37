using Microsoft.Extensions.Logging;

namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// Runs work items one at a time, in the order they were posted, on the shared thread pool: a
/// lock-free queue drained by at most one runner, which is scheduled when the first item arrives and
/// returns its thread when the queue is empty. A peer connection owns one and runs every state change
/// on it (ICE results, DTLS outcomes, RTCP feedback, timer ticks, its events), so those never race each
/// other and never run on a socket, DTLS or caller thread; no thread is held while the queue is empty.
/// An item that throws is logged and counted (<see cref="Failures"/>) and the queue goes on.
/// </summary>
internal sealed class SerialExecutor
{
    [ThreadStatic]
    private static SerialExecutor? t_current;

    private readonly System.Collections.Concurrent.ConcurrentQueue<WorkItem> _queue = new();
    private readonly ILogger _logger;
    private int _scheduled;
    private long _failures;
    private long _executed;

    public SerialExecutor(ILogger logger) => _logger = logger;

    /// <summary>Whether the calling code runs inside one of this executor's items.</summary>
    public bool IsCurrent => ReferenceEquals(t_current, this);

    /// <summary>Items that threw (each logged).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Items run so far.</summary>
    public long Executed => Interlocked.Read(ref _executed);

    /// <summary>Queues <paramref name="action"/>; it runs after every item posted before it. Never blocks.</summary>
    public void Post(Action action) => Post(static a => ((Action)a!)(), action);

    /// <summary>Queues <paramref name="action"/> with a state argument (no closure needed on hot paths).</summary>
    public void Post(Action<object?> action, object? state)
    {
        _queue.Enqueue(new WorkItem(action, state));
        if (Interlocked.CompareExchange(ref _scheduled, 1, 0) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s => ((SerialExecutor)s!).Drain(), this);
        }
    }

    /// <summary>Completes once every item posted before this call has run.</summary>
    public Task WhenDrained()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(static s => ((TaskCompletionSource)s!).TrySetResult(), done);
        return done.Task;
    }

    private void Drain()
    {
        var previous = t_current;
        t_current = this;
        try
        {
            while (true)
            {
                while (_queue.TryDequeue(out var item))
                {
                    Run(item);
                }

                Interlocked.Exchange(ref _scheduled, 0); // a full fence: the emptiness check below must not move before it
                // An item posted between the last TryDequeue and the reset found _scheduled == 1 and did
                // not schedule a runner: take the queue back if it is not empty and nobody else has.
                if (_queue.IsEmpty || Interlocked.CompareExchange(ref _scheduled, 1, 0) != 0)
                {
                    return;
                }
            }
        }
        finally
        {
            t_current = previous;
        }
    }

    private void Run(WorkItem item)
    {
        try
        {
            item.Action(item.State);
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _failures);
            _logger.LogError(e, "Peer connection work item failed");
        }

        Interlocked.Increment(ref _executed);
    }

    /// <summary>One queued item: a static-friendly delegate and its state.</summary>
    private readonly record struct WorkItem(Action<object?> Action, object? State);
}
