namespace PersonaLive.WebRtc.Dtls;

/// <summary>
/// The bounded set of threads that run DTLS handshakes. BouncyCastle's <c>DtlsServerProtocol.Accept</c>
/// and <c>DtlsClientProtocol.Connect</c> block their thread until the handshake ends, so each running
/// handshake needs a thread; this pool runs at most <see cref="MaxConcurrent"/> at once (each on its own
/// short-lived thread, never a thread-pool thread, so a slow peer cannot starve the pool) and queues
/// the rest. After the handshake no thread is kept: <see cref="DtlsSession"/> then processes records
/// only when a datagram arrives. A server session takes a slot only once the peer's first flight is
/// here, and a client keeps its slot until its server answered, so pools on both ends of a loopback
/// test cannot wait on each other. <see cref="Running"/>, <see cref="Queued"/> and <see cref="Peak"/>
/// measure it (the media server exposes them).
/// </summary>
public sealed class DtlsHandshakePool
{
    private readonly SemaphoreSlim _slots;
    private long _running, _queued, _peak, _completed;

    public DtlsHandshakePool(int maxConcurrent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrent, 1);
        MaxConcurrent = maxConcurrent;
        _slots = new SemaphoreSlim(maxConcurrent, maxConcurrent);
    }

    private static int s_pools;

    /// <summary>
    /// The name of this pool's handshake threads, unique per pool (also the OS thread name, at most 15
    /// characters, so the threads can be counted from outside the runtime).
    /// </summary>
    public string ThreadName { get; } = $"dtls-hs-{Interlocked.Increment(ref s_pools) % 10_000_000}";

    /// <summary>The pool used by sessions created without one (tests).</summary>
    internal static DtlsHandshakePool Shared { get; } = new(16);

    public int MaxConcurrent { get; }

    /// <summary>Handshake threads alive now.</summary>
    public long Running => Interlocked.Read(ref _running);

    /// <summary>Handshakes waiting for a slot.</summary>
    public long Queued => Interlocked.Read(ref _queued);

    /// <summary>Most handshake threads alive at once so far.</summary>
    public long Peak => Interlocked.Read(ref _peak);

    /// <summary>Handshakes finished (either way).</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Queues a blocking handshake; <paramref name="handshake"/> must catch its own exceptions.</summary>
    internal void Run(Action handshake)
    {
        Interlocked.Increment(ref _queued);
        _ = RunAsync(handshake);
    }

    private async Task RunAsync(Action handshake)
    {
        await _slots.WaitAsync().ConfigureAwait(false);
        Interlocked.Decrement(ref _queued);
        try
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() =>
            {
                RunOne(handshake);
                done.SetResult();
            })
            { IsBackground = true, Name = ThreadName };
            thread.Start();
            await done.Task.ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    private void RunOne(Action handshake)
    {
        long running = Interlocked.Increment(ref _running);
        long peak;
        while (running > (peak = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, running, peak) != peak)
        {
        }

        try
        {
            handshake();
        }
        catch (Exception)
        {
            // DtlsSession reports its own failures; nothing may escape a pool thread
        }
        finally
        {
            Interlocked.Decrement(ref _running);
            Interlocked.Increment(ref _completed);
        }
    }
}
