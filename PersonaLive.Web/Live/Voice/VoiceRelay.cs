using Microsoft.Extensions.Logging;

namespace PersonaLive.Web.Live.Voice;

/// <summary>
/// Carries the presenter's voice alongside the animated face: every microphone packet waits in a
/// <see cref="VoiceDelayLine{T}"/> for the pipeline's current delay (the measured server latency of the
/// video: camera frame in to animated frame out), then goes to every target at once (the Studio's own
/// output and the viewers), so lips and voice leave the server together. One pump task per session wakes
/// at the next due time; packets are never decoded. A failing target is logged and skipped.
/// </summary>
internal sealed partial class VoiceRelay : IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly VoiceDelayLine<VoicePacket> _line = new(capacity: 500); // 10 s of 20 ms packets
    private readonly Func<TimeSpan> _delay;
    private readonly Func<IEnumerable<Action<VoicePacket>>> _targets;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private long _relayed;

    public VoiceRelay(Func<TimeSpan> delay, Func<IEnumerable<Action<VoicePacket>>> targets, TimeProvider time, ILogger log)
    {
        _delay = delay;
        _targets = targets;
        _time = time;
        _log = log;
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Packets handed to the targets so far.</summary>
    public long Relayed => Interlocked.Read(ref _relayed);

    /// <summary>Packets dropped because the line was full.</summary>
    public long Dropped { get { lock (_lock) { return _line.Dropped; } } }

    /// <summary>A microphone packet arrived (media thread): queue it and return.</summary>
    public void Push(VoicePacket packet)
    {
        long delayTicks = (long)(Math.Clamp(_delay().TotalMilliseconds, 0, 2000) * _time.TimestampFrequency / 1000);
        lock (_lock)
        {
            _line.Push(packet, _time.GetTimestamp(), delayTicks);
        }

        _signal.Release();
    }

    private async Task PumpAsync()
    {
        var due = new List<VoicePacket>();
        var ct = _stop.Token;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                long? next;
                lock (_lock)
                {
                    due.Clear();
                    _line.TakeDue(_time.GetTimestamp(), due);
                    next = _line.NextDue;
                }

                foreach (var packet in due)
                {
                    Deliver(packet);
                }

                var wait = next is { } n ? _time.GetElapsedTime(_time.GetTimestamp(), n) : Timeout.InfiniteTimeSpan;
                if (wait != Timeout.InfiniteTimeSpan && wait < TimeSpan.FromMilliseconds(1))
                {
                    continue;
                }

                await _signal.WaitAsync(wait, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private void Deliver(VoicePacket packet)
    {
        Interlocked.Increment(ref _relayed);
        foreach (var target in _targets())
        {
            try
            {
                target(packet);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogTargetFailed(_log, ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _pump.ConfigureAwait(false);
        lock (_lock)
        {
            _line.Clear();
        }

        _stop.Dispose();
        _signal.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Relaying a voice packet to a peer failed")]
    private static partial void LogTargetFailed(ILogger logger, Exception ex);
}
