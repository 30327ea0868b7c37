namespace PersonaLive.Web.Live.Portraits;

/// <summary>
/// Bounds how many uploaded portraits are decoded and searched for a face at once (two), so a burst of
/// large uploads costs a bounded amount of native memory and CPU instead of one full pipeline each.
/// Those who wait are told their upload is being processed. Singleton.
/// </summary>
internal sealed class PortraitDecodeGate : IDisposable
{
    /// <summary>Concurrent preparations allowed: one per core on the 2-core machines we run on.</summary>
    public const int Concurrency = 2;

    private readonly SemaphoreSlim _slots = new(Concurrency, Concurrency);

    /// <summary>
    /// Takes a slot; when none is free calls <paramref name="onWaiting"/> once, then waits. Dispose the
    /// result to give the slot back.
    /// </summary>
    public async Task<IDisposable> EnterAsync(Action onWaiting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onWaiting);
        if (!_slots.Wait(0))
        {
            onWaiting();
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        return new Slot(_slots);
    }

    public void Dispose() => _slots.Dispose();

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release();
        }
    }
}
