using PersonaLive.Web.Live.Media;

namespace PersonaLive.Web.Live.Pipeline;

/// <summary>What the stats overlay shows for one session.</summary>
public sealed record LiveSessionStats(
    double FpsIn,
    double FpsOut,
    long FramesDropped,
    double BitrateKbps,
    double? ServerLatencyMs,
    double? GlassToGlassMs,
    double? GlassToGlassP95Ms,
    double EngineChunkMs,
    string EngineName,
    MediaPeerState Connection,
    int Viewers,
    long EngineFailures,
    long FramesSent);
