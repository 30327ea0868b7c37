using System.ComponentModel.DataAnnotations;

namespace PersonaLive.Web.Hosting;

/// <summary>
/// Live-loop settings (configuration section <c>Live</c>). <see cref="EchoEngineDelayMs"/> swaps the
/// configured engine for the delayed echo test engine, which the end-to-end latency proof uses.
/// </summary>
public sealed class LiveOptions
{
    public const string SectionName = "Live";

    /// <summary>When set, use the echo test engine with this fixed delay per chunk instead of <c>Engine:Name</c>.</summary>
    [Range(0, 5000)] public int? EchoEngineDelayMs { get; set; }

    /// <summary>
    /// With the echo engine: each output echoes the camera frame this many frames back (a pipeline delay
    /// like the personalive engine's), so the output keeps the camera's frame rate and only latency changes.
    /// </summary>
    [Range(0, 250)] public int EchoEngineDelayFrames { get; set; }

    /// <summary>Start engine warm-up (model provisioning, session loading) when the server starts.</summary>
    public bool WarmUpOnStart { get; set; } = true;
}
