using System.Diagnostics;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// Measures, during a sessions window, how long the chain a peer connection's pacer runs on really takes
/// per step: a one-shot timer armed for 1 ms whose callback posts one thread-pool work item, which records
/// the time since the previous step and re-arms the timer. On an idle machine a step takes about a
/// millisecond; under CPU contention it stretches, and a pacer that may send only a few milliseconds'
/// worth of packets per step then sends slower than its target. The log shows the mean and the longest
/// step and the share of steps longer than 10 ms.
/// </summary>
internal sealed class TimerLagProbe : IDisposable
{
    private readonly Timer _timer;
    private readonly object _lock = new();
    private long _last = Stopwatch.GetTimestamp();
    private long _steps, _slow;
    private double _sumMs, _maxMs;
    private volatile bool _stopped;

    public TimerLagProbe()
    {
        _timer = new Timer(static s => ThreadPool.UnsafeQueueUserWorkItem(static p => p.Step(), (TimerLagProbe)s!, preferLocal: false), this, 1, Timeout.Infinite);
    }

    private void Step()
    {
        var now = Stopwatch.GetTimestamp();
        var ms = Stopwatch.GetElapsedTime(_last, now).TotalMilliseconds;
        _last = now;
        lock (_lock)
        {
            _steps++;
            _sumMs += ms;
            _maxMs = Math.Max(_maxMs, ms);
            if (ms > 10) _slow++;
        }
        if (!_stopped)
        {
            try { _timer.Change(1, Timeout.Infinite); }
            catch (ObjectDisposedException) { }
        }
    }

    /// <summary>Mean and longest step (ms) and the share of steps over 10 ms, so far.</summary>
    public string Describe()
    {
        lock (_lock)
        {
            return _steps == 0 ? "no timer steps" : FormattableString.Invariant(
                $"timer->pool step mean {_sumMs / _steps:0.0} ms, longest {_maxMs:0} ms, {100.0 * _slow / _steps:0.0} % over 10 ms");
        }
    }

    public void Dispose()
    {
        _stopped = true;
        _timer.Dispose();
    }
}
