using System.Diagnostics.Metrics;

namespace PersonaLive.Web.Live.Diagnostics;

/// <summary>
/// OpenTelemetry-visible instruments of the live pipeline (meter <see cref="MeterName"/>), exported
/// on the Prometheus endpoint: sessions, queue, viewers, frames in/out/dropped, bytes sent (bitrate is
/// its rate), glass-to-glass latency measured by the browser, server-side latency and engine time.
/// </summary>
internal sealed class LiveMetrics
{
    public const string MeterName = "PersonaLive.Live";

    private readonly Meter _meter;
    private readonly UpDownCounter<long> _activeSessions;
    private readonly UpDownCounter<long> _waiting;
    private readonly UpDownCounter<long> _ending;
    private readonly UpDownCounter<long> _viewers;

    public LiveMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = _meter = meters.Create(MeterName);
        _activeSessions = meter.CreateUpDownCounter<long>("personalive.sessions.active", "{session}", "Live sessions running now.");
        _waiting = meter.CreateUpDownCounter<long>("personalive.sessions.waiting", "{session}", "People waiting for a free session slot.");
        _ending = meter.CreateUpDownCounter<long>("personalive.sessions.ending", "{session}", "Sessions that ended and are still freeing their resources; each still holds its admission slot.");
        _viewers = meter.CreateUpDownCounter<long>("personalive.viewers.active", "{viewer}", "Share-link viewers connected now.");
        SessionsStarted = meter.CreateCounter<long>("personalive.sessions.started", "{session}", "Live sessions started.");
        FramesIn = meter.CreateCounter<long>("personalive.frames.in", "{frame}", "Camera frames decoded and taken into the FrameGate.");
        FramesOut = meter.CreateCounter<long>("personalive.frames.out", "{frame}", "Animated frames sent.");
        FramesDropped = meter.CreateCounter<long>("personalive.frames.dropped", "{frame}", "Camera frames the engine never got: not selected for a chunk, evicted at capacity, or still waiting when the session ended (frames.in - frames.dropped = frames animated).");
        BytesSent = meter.CreateCounter<long>("personalive.media.bytes_sent", "By", "Encoded video bytes sent (host and viewers); its rate is the bitrate.");
        GlassToGlass = meter.CreateHistogram<double>("personalive.latency.glass_to_glass", "ms", "Camera capture to display of the animated frame, measured by the browser.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [50, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 5000] });
        ServerLatency = meter.CreateHistogram<double>("personalive.latency.server", "ms", "Decoded camera frame to send of its animated frame.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [5, 10, 20, 40, 60, 80, 100, 150, 200, 300, 500, 1000] });
        EngineChunk = meter.CreateHistogram<double>("personalive.engine.chunk_time", "ms", "Engine time per chunk.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [5, 10, 20, 30, 40, 60, 80, 120, 160, 250, 500, 1000] });
    }

    /// <summary>
    /// Publishes current rates summed over all live sessions as gauges (fps in/out, bitrate), read at
    /// scrape time from <paramref name="snapshot"/>. Called once by the session manager.
    /// </summary>
    public void ObserveRates(Func<(double FpsIn, double FpsOut, double Kbps)> snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        _meter.CreateObservableGauge("personalive.fps.in", () => snapshot().FpsIn, "{frame}/s", "Camera frames per second decoded, all sessions.");
        _meter.CreateObservableGauge("personalive.fps.out", () => snapshot().FpsOut, "{frame}/s", "Animated frames per second sent, all sessions.");
        _meter.CreateObservableGauge("personalive.bitrate", () => snapshot().Kbps, "kbit/s", "Encoded output bitrate, all sessions (viewers not counted).");
    }

    /// <summary>Publishes the media port's and the live sessions' transport counters (<see cref="TransportMetrics"/>).</summary>
    public void ObserveTransport(Func<PersonaLive.WebRtc.PeerConnection.MediaPortTotals?> port,
        Func<IEnumerable<(string Session, PersonaLive.Web.Live.Media.MediaPeerStats Stats)>> sessions) =>
        TransportMetrics.Observe(_meter, port, sessions);

    public Counter<long> SessionsStarted { get; }
    public Counter<long> FramesIn { get; }
    public Counter<long> FramesOut { get; }
    public Counter<long> FramesDropped { get; }
    public Counter<long> BytesSent { get; }
    public Histogram<double> GlassToGlass { get; }
    public Histogram<double> ServerLatency { get; }
    public Histogram<double> EngineChunk { get; }

    public void SessionOpened() => _activeSessions.Add(1);
    public void SessionClosed() => _activeSessions.Add(-1);
    /// <summary>An ended session starts (+1) or finishes (-1) freeing its resources and slot.</summary>
    public void EndingChanged(int delta) => _ending.Add(delta);
    public void WaitingChanged(int delta) => _waiting.Add(delta);
    public void ViewersChanged(int delta) => _viewers.Add(delta);
}
