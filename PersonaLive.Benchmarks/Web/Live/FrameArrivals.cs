using System.Collections.Concurrent;
using System.Diagnostics;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// When the soak's animated frames reached the client, stamped in the client's frame callback (not by
/// the benchmark's polling loop, whose own delays on a busy machine would read as freezes): frames per
/// whole second of the run, and every gap longer than the freeze threshold with its start and length.
/// Counting starts at <see cref="Start"/> (after the warm-up and the baseline's full collection).
/// </summary>
internal sealed class FrameArrivals(Stopwatch clock, TimeSpan freezeGap)
{
    private readonly object _lock = new();
    private readonly List<int> _perSecond = new();
    private TimeSpan? _startedAt;
    private TimeSpan _last;
    private long _frames;

    /// <summary>Gaps of more than the threshold: (when the gap began, its length), in order.</summary>
    public ConcurrentQueue<(TimeSpan At, TimeSpan Length)> Freezes { get; } = new();

    /// <summary>Frames counted since <see cref="Start"/>.</summary>
    public long Frames { get { lock (_lock) return _frames; } }

    /// <summary>Begins counting now.</summary>
    public void Start()
    {
        lock (_lock) (_startedAt, _last) = (clock.Elapsed, clock.Elapsed);
    }

    /// <summary>One frame arrived (client's receive thread).</summary>
    public void OnFrame()
    {
        var now = clock.Elapsed;
        lock (_lock)
        {
            if (_startedAt is not { } start) return;
            if (now - _last > freezeGap) Freezes.Enqueue((_last, now - _last));
            _last = now;
            _frames++;
            int second = (int)(now - start).TotalSeconds;
            while (_perSecond.Count <= second) _perSecond.Add(0);
            _perSecond[second]++;
        }
    }

    /// <summary>
    /// Frames in the slowest whole second from the start to <paramref name="until"/> (a trailing gap
    /// still open counts too), and the mean rate.
    /// </summary>
    public (double Min, double Mean) Rates(TimeSpan until)
    {
        lock (_lock)
        {
            if (_startedAt is not { } start) return (0, 0);
            int whole = (int)(until - start).TotalSeconds;
            double min = double.MaxValue;
            for (int i = 0; i < whole; i++) min = Math.Min(min, i < _perSecond.Count ? _perSecond[i] : 0);
            return (whole == 0 ? 0 : min, _frames / Math.Max(1e-9, (until - start).TotalSeconds));
        }
    }

    /// <summary>The gap since the last frame, if it is a freeze still going on at <paramref name="now"/>.</summary>
    public TimeSpan? OpenGap(TimeSpan now)
    {
        lock (_lock) return _startedAt is not null && now - _last > freezeGap ? now - _last : null;
    }
}
