namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// One 20 ms clock for every peer connection in the process. Each connection used to own a periodic
/// timer whose wait resumed on the thread pool 50 times a second only to post the connection's tick to
/// its executor: two work items (and often two thread wake-ups) per connection per tick, a visible share
/// of the kernel's scheduling time at a few dozen connections. Here one timer callback walks the
/// registered connections and posts each tick directly, so a tick costs one work item per connection.
/// Registration is copy-on-write: the callback reads a snapshot without a lock. The timer exists only
/// while some connection is registered.
/// </summary>
internal static class TickClock
{
    /// <summary>Period of the tick (ICE checks, consent, frame-loss timeouts, NACKs, PLIs, reports).</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(20);

    private static readonly object Gate = new();
    private static Action[] _subscribers = [];
    private static Timer? _timer;

    /// <summary>Connections registered now.</summary>
    public static int Count => Volatile.Read(ref _subscribers).Length;

    /// <summary>Calls <paramref name="tick"/> every <see cref="Period"/> (on the timer's thread-pool callback: it must only post).</summary>
    public static void Add(Action tick)
    {
        ArgumentNullException.ThrowIfNull(tick);
        lock (Gate)
        {
            Volatile.Write(ref _subscribers, [.. _subscribers, tick]);
            _timer ??= new Timer(static _ => Fire(), null, Period, Period);
        }
    }

    /// <summary>Stops calling <paramref name="tick"/> (idempotent); the timer stops with the last one.</summary>
    public static void Remove(Action tick)
    {
        lock (Gate)
        {
            int i = Array.IndexOf(_subscribers, tick);
            if (i < 0)
            {
                return;
            }

            Volatile.Write(ref _subscribers, [.. _subscribers.AsSpan(0, i), .. _subscribers.AsSpan(i + 1)]);
            if (_subscribers.Length == 0)
            {
                _timer?.Dispose();
                _timer = null;
            }
        }
    }

    private static void Fire()
    {
        foreach (var tick in Volatile.Read(ref _subscribers))
        {
            tick();
        }
    }
}
