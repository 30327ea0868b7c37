namespace PersonaLive.Web.Live.Portraits;

/// <summary>
/// Bounds how many uploaded portraits are decoded and searched for a face at once (two), and lets only
/// one large image (<see cref="PersonaLive.Inference.Imaging.ImageCodec.IsLarge"/>: one whose decoding
/// costs its full-size bitmap) decode at a time, so a burst of 40-megapixel uploads costs a bounded
/// amount of native memory and CPU; when a large image's slot is given back, the C library's free pages
/// are returned to the system. Those who wait are told their upload is being processed. Singleton.
/// </summary>
internal sealed class PortraitDecodeGate : IDisposable
{
    /// <summary>Concurrent preparations allowed: one per core on the 2-core machines we run on.</summary>
    public const int Concurrency = 2;

    private readonly SemaphoreSlim _slots = new(Concurrency, Concurrency);
    private readonly SemaphoreSlim _large = new(1, 1);

    /// <summary>
    /// Takes a slot (and, for a <paramref name="large"/> image, the single large-image slot first); when
    /// it must wait calls <paramref name="onWaiting"/> once. Dispose the result to give the slots back.
    /// </summary>
    public async Task<IDisposable> EnterAsync(bool large, Action onWaiting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onWaiting);
        var told = false;
        void Tell()
        {
            if (told) return;
            told = true;
            onWaiting();
        }
        if (large && !_large.Wait(0))
        {
            Tell();
            await _large.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        try
        {
            if (!_slots.Wait(0))
            {
                Tell();
                await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            if (large) _large.Release();
            throw;
        }
        return new Slot(_slots, large ? _large : null);
    }

    public void Dispose()
    {
        _slots.Dispose();
        _large.Dispose();
    }

    private sealed class Slot(SemaphoreSlim slots, SemaphoreSlim? large) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return;
            slots.Release();
            if (large is null) return;
            PersonaLive.Web.Hosting.NativeHeap.Trim(); // the full-size bitmap's pages go back to the system now, not whenever glibc gets round to it
            large.Release();
        }
    }
}
