using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PersonaLive.Inference.Engines;
using PersonaLive.Media;
using PersonaLive.Web.Live.Diagnostics;
using PersonaLive.Web.Live.Media;

namespace PersonaLive.Web.Live.Pipeline;

/// <summary>
/// One person's live loop: host peer -> FrameGate -> engine worker -> OutputPacer -> host peer, plus
/// the viewer fan-out of the encoded output. Owns the engine, the peers and every buffer; disposing it
/// frees all of them. A failure inside (engine exception, peer failure) ends this session only.
/// </summary>
internal sealed partial class LiveSession : IAsyncDisposable
{
    private readonly IAnimationEngine _engine;
    private readonly ILiveMediaPeer _host;
    private readonly LiveMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly FrameGate<CameraFrame> _gate;
    private readonly OutputPacer<OutputFrame> _pacer;
    private readonly DrivingFrameArrivals _arrivals;
    private readonly ConcurrentDictionary<string, ILiveMediaPeer> _viewers = new();
    private readonly ConcurrentQueue<Action<IAnimationEngine>> _engineCommands = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly RateMeter _fpsIn, _fpsOut, _bitsOut;
    private Task _worker = Task.CompletedTask, _sender = Task.CompletedTask;
    private long _lastActivity, _engineFailures, _framesSent;
    private double _lastChunkMs;
    private int _ended;

    public LiveSession(string id, IAnimationEngine engine, ILiveMediaPeer host, LiveMetrics metrics, TimeProvider time, ILogger log)
    {
        Id = id;
        _engine = engine;
        _host = host;
        _metrics = metrics;
        _time = time;
        _log = log;
        // Slack 1: a worker one frame late takes the older frame and catches up instead of dropping it (one frame of latency at most, under load only).
        _gate = new FrameGate<CameraFrame>(Math.Max(8, engine.ChunkSize * 4), n => _metrics.FramesDropped.Add(n), slack: 1);
        _pacer = new OutputPacer<OutputFrame>(time);
        _arrivals = new DrivingFrameArrivals(engine.PipelineDelayFrames + 4 * engine.ChunkSize);
        _fpsIn = new RateMeter(time);
        _fpsOut = new RateMeter(time);
        _bitsOut = new RateMeter(time);
        _lastActivity = time.GetTimestamp();
        _host.FrameDecoded += OnFrameDecoded;
        _host.FrameEncoded += OnFrameEncoded;
        _host.ConnectionStateChanged += OnHostStateChanged;
        _voice = StartVoice();
    }

    public string Id { get; }
    public string EngineName => _engine.Name;
    public LatencyTracker Latency { get; } = new();
    public MediaPeerState ConnectionState => _host.State;
    public int ViewerCount => _viewers.Count;
    public bool HasEnded => Volatile.Read(ref _ended) != 0;

    /// <summary>Raised once when the session ends by itself (peer failed/closed, engine failure); the argument says why.</summary>
    public event Action<LiveSession, SessionEnd>? Ended;

    /// <summary>Raised for every valid glass-to-glass sample the page reports (ms).</summary>
    public event Action<double>? GlassToGlassMeasured;

    /// <summary>Raised when the host connection changes state.</summary>
    public event Action<MediaPeerState>? ConnectionStateChanged;

    /// <summary>Time since the last camera frame or user action.</summary>
    public TimeSpan IdleFor => _time.GetElapsedTime(Interlocked.Read(ref _lastActivity));

    /// <summary>Applies the browser's offer, starts the worker and the pacer, returns the answer SDP.</summary>
    public string Start(string offerSdp, PreparedPortrait portrait)
    {
        _engine.SetPortrait(portrait);
        var answer = _host.CreateAnswer(offerSdp);
        _worker = Task.Run(() => RunEngineAsync(_stop.Token));
        _sender = Task.Run(() => RunSenderAsync(_stop.Token));
        return answer;
    }

    /// <summary>Replaces the portrait while live (applied between chunks on the engine's thread).</summary>
    public void ReplacePortrait(PreparedPortrait portrait) => Command(e => e.SetPortrait(portrait));
    /// <summary>Takes the next camera frame as the neutral pose.</summary>
    public void Recenter() => Command(e => e.Recenter());
    /// <summary>Marks user activity (keeps the idle timeout away).</summary>
    public void Touch() => Interlocked.Exchange(ref _lastActivity, _time.GetTimestamp());
    /// <summary>A user action for the engine, run between chunks on its thread.</summary>
    private void Command(Action<IAnimationEngine> command) { Touch(); _engineCommands.Enqueue(command); }

    /// <summary>The host peer's transport counters (packets, bytes, NACKs, PLIs, RTT, loss) for /metrics.</summary>
    internal MediaPeerStats GetTransportStats() => _host.GetStats();

    public LiveSessionStats GetStats() => new(
        FpsIn: _fpsIn.PerSecond,
        FpsOut: _fpsOut.PerSecond,
        FramesDropped: _gate.Dropped,
        BitrateKbps: _bitsOut.PerSecond / 1000,
        ServerLatencyMs: Latency.ServerMedianMs,
        GlassToGlassMs: Latency.GlassToGlassMedianMs,
        GlassToGlassP95Ms: Latency.GlassToGlassP95Ms,
        EngineChunkMs: _lastChunkMs,
        EngineName: _engine.Name,
        Connection: _host.State,
        Viewers: _viewers.Count,
        EngineFailures: Interlocked.Read(ref _engineFailures),
        FramesSent: Interlocked.Read(ref _framesSent));

    /// <summary>Glass-to-glass sample from the page (browser clock).</summary>
    public void ReportGlassToGlass(double ms)
    {
        Latency.RecordGlassToGlass(ms);
        if (!double.IsFinite(ms) || ms is < 0 or > 60_000) return;
        _metrics.GlassToGlass.Record(ms);
        GlassToGlassMeasured?.Invoke(ms);
    }

    private void OnFrameDecoded(in DecodedVideoFrame frame)
    {
        if (HasEnded) return;
        Touch();
        _fpsIn.Add();
        var capture = frame.CaptureTimeUs ?? _time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
        // The gate reports every drop (eviction, selection, close) to FramesDropped itself; a frame it refuses
        // (closed just now) is neither in nor dropped, so frames.in - frames.dropped = frames the engine got.
        // No copy: the gate holds a reference to the decoder's pooled picture until the engine took it.
        if (_gate.Push(new CameraFrame(frame.Frame.Retain(), capture, _time.GetTimestamp()))) _metrics.FramesIn.Add(1);
    }

    private void OnFrameEncoded(in EncodedVideoFrame frame)
    {
        _bitsOut.Add(frame.Data.Length * 8);
        _metrics.BytesSent.Add(frame.Data.Length * (1 + _viewers.Count));
        if (_viewers.IsEmpty) return;
        foreach (var (_, viewer) in _viewers) // not .Values: that copies the dictionary under all its locks every frame
        {
            if (viewer.SendCodec is { } codec && codec != frame.Codec) continue;
            try { viewer.SendEncodedFrame(frame); }
            catch (Exception ex) when (ex is not OutOfMemoryException) { LogViewerSendFailed(_log, ex, Id, viewer.Id); }
        }
    }

    private void OnHostStateChanged(MediaPeerState state)
    {
        ConnectionStateChanged?.Invoke(state);
        if (state is MediaPeerState.Failed or MediaPeerState.Closed)
            RaiseEnded(state == MediaPeerState.Failed
                ? new(SessionEndReason.ConnectionLost, "The connection to your browser was lost.")
                : new(SessionEndReason.ConnectionClosed, "The connection was closed."));
    }

    private async Task RunEngineAsync(CancellationToken ct)
    {
        try
        {
            while (await _gate.TakeChunkAsync(_engine.ChunkSize, ct).ConfigureAwait(false) is { } chunk)
            {
                while (_engineCommands.TryDequeue(out var command)) command(_engine);
                _pacer.Enqueue(AnimateChunk(chunk));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _engineFailures);
            LogEngineFailed(_log, ex, Id, _engine.Name);
            RaiseEnded(new(SessionEndReason.EngineFailed, "The animation engine failed; the session was stopped."));
        }
    }

    private async Task RunSenderAsync(CancellationToken ct)
    {
        try { await _pacer.RunAsync(Send, ct).ConfigureAwait(false); }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogSendFailed(_log, ex, Id);
            RaiseEnded(new(SessionEndReason.SendFailed, "Sending video failed; the session was stopped."));
        }
    }

    private void Send(OutputFrame frame)
    {
        using (frame)
        {
            if (HasEnded) return;
            var rtp = _host.SendFrame(frame.Image, frame.CaptureTimeUs);
            _voice.VideoLeft(frame.CaptureTimeUs); // the voice of this instant may follow its face now
            var serverMs = _time.GetElapsedTime(frame.ArrivalTimestamp).TotalMilliseconds;
            Latency.RecordSent(rtp, frame.CaptureTimeUs, serverMs);
            _fpsOut.Add();
            Interlocked.Increment(ref _framesSent);
            _metrics.FramesOut.Add(1);
            _metrics.ServerLatency.Record(serverMs);
        }
    }

    private void RaiseEnded(SessionEnd reason)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0) return;
        _stop.Cancel();
        _gate.Close();
        Ended?.Invoke(this, reason);
    }

    /// <summary>Stops the loop and frees the engine, the peers, and every queued buffer.</summary>
    public async ValueTask DisposeAsync()
    {
        Interlocked.Exchange(ref _ended, 1);
        await _stop.CancelAsync().ConfigureAwait(false);
        _gate.Close();
        try { await Task.WhenAll(_worker, _sender).ConfigureAwait(false); }
        catch (Exception ex) when (ex is not OutOfMemoryException) { LogSendFailed(_log, ex, Id); }
        foreach (var f in _pacer.Drain()) f.Dispose();
        _host.FrameDecoded -= OnFrameDecoded;
        _host.FrameEncoded -= OnFrameEncoded;
        _host.ConnectionStateChanged -= OnHostStateChanged;
        await StopVoiceAsync().ConfigureAwait(false);
        foreach (var id in _viewers.Keys.ToList()) await RemoveViewerAsync(id).ConfigureAwait(false);
        await _host.DisposeAsync().ConfigureAwait(false);
        _engine.Dispose();
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId}: engine {Engine} failed")]
    private static partial void LogEngineFailed(ILogger logger, Exception ex, string sessionId, string engine);

    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId}: sending failed")]
    private static partial void LogSendFailed(ILogger logger, Exception ex, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: sending to viewer {ViewerId} failed")]
    private static partial void LogViewerSendFailed(ILogger logger, Exception ex, string sessionId, string viewerId);
}
