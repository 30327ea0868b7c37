using Microsoft.Extensions.Logging;

namespace PersonaLive.Web.Live.Voice;

/// <summary>
/// Carries the presenter's voice alongside the animated face: every microphone packet waits in a
/// <see cref="VoiceDelayLine{T}"/> for the pipeline's current base delay (the video's measured server
/// latency, camera frame in to animated frame out), and then until the animated frame of its capture
/// instant has left (<see cref="VideoLeft"/>: both carry capture times on the browser's clock), at most
/// <see cref="Slack"/> longer; then it goes to every target at once (the Studio's own output and the
/// viewers), so lips and voice leave the server together even when a frame is slower than usual. One pump task per session wakes
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
    private long _videoWatermarkUs = long.MinValue;
    private int _waiting; // packets in the line, as last seen under the lock: a frame leaving wakes the pump only for them
    private readonly Func<VoicePacket, bool> _faceHasLeft; // one delegate, not one per wake

    /// <summary>How much longer than the base delay a packet may wait for its face.</summary>
    public static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(400);

    public VoiceRelay(Func<TimeSpan> delay, Func<IEnumerable<Action<VoicePacket>>> targets, TimeProvider time, ILogger log)
    {
        _delay = delay;
        _targets = targets;
        _time = time;
        _log = log;
        _faceHasLeft = FaceHasLeft;
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
            _line.Push(packet, _time.GetTimestamp(), delayTicks, (long)(Slack.TotalSeconds * _time.TimestampFrequency));
            Volatile.Write(ref _waiting, _line.Count);
        }

        _signal.Release();
    }

    /// <summary>The animated frame driven by the camera frame captured at <paramref name="captureTimeUs"/> was sent (sender thread).</summary>
    public void VideoLeft(long captureTimeUs)
    {
        long seen = Interlocked.Read(ref _videoWatermarkUs);
        while (captureTimeUs > seen)
        {
            long was = Interlocked.CompareExchange(ref _videoWatermarkUs, captureTimeUs, seen);
            if (was == seen)
            {
                if (Volatile.Read(ref _waiting) > 0) _signal.Release(); // no voice waiting: nothing to wake (a wake per frame costs a timed wait)
                return;
            }

            seen = was;
        }
    }

    /// <summary>
    /// Whether the face of <paramref name="packet"/>'s instant has left: true without any video yet, and when
    /// the two clocks are clearly not the same (more than 5 s apart), so the base delay alone decides then.
    /// </summary>
    private bool FaceHasLeft(VoicePacket packet)
    {
        long watermark = Interlocked.Read(ref _videoWatermarkUs);
        return watermark == long.MinValue || watermark >= packet.CaptureTimeUs || packet.CaptureTimeUs - watermark > 5_000_000;
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
                    long now = _time.GetTimestamp();
                    _line.TakeDue(now, due, _faceHasLeft);
                    Volatile.Write(ref _waiting, _line.Count);
                    next = _line.NextWake(now);
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
