using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Engines;

/// <summary>
/// One live session's animator (ARCHITECTURE.md, "Engine interface"). Created per session by an
/// <see cref="IAnimationEngineFactory"/>; holds only per-session state (tracking, filters, streaming
/// window), while model sessions are shared by the factory. Not thread-safe: one caller at a time.
/// </summary>
public interface IAnimationEngine : IDisposable
{
    /// <summary>Engine name as configured ("lite", "personalive").</summary>
    string Name { get; }

    /// <summary>Driving frames consumed per <see cref="Animate"/> call (1 for lite, 4 for personalive).</summary>
    int ChunkSize { get; }

    /// <summary>Width and height of produced frames.</summary>
    int OutputSize { get; }

    /// <summary>Sets or replaces the reference portrait; allowed mid-session (resets motion state).</summary>
    void SetPortrait(PreparedPortrait portrait);

    /// <summary>Takes the next driving frame as the neutral pose ("re-centre").</summary>
    void Recenter();

    /// <summary>
    /// Maps exactly <see cref="ChunkSize"/> driving frames to output frames (one per driving frame,
    /// same order, same capture timestamps). Output images are owned by the caller.
    /// </summary>
    IReadOnlyList<AnimatedFrame> Animate(IReadOnlyList<DrivingFrame> chunk);
}

/// <summary>A camera frame handed to an engine, with the capture time of the browser's clock.</summary>
/// <param name="Image">RGBA pixels of the decoded camera frame (any size).</param>
/// <param name="CaptureTimeUs">Capture time in microseconds on the sender's clock; carried to the output.</param>
public sealed record DrivingFrame(RgbaImage Image, long CaptureTimeUs);

/// <summary>An engine output frame and the capture time of the driving frame that produced it.</summary>
public sealed record AnimatedFrame(RgbaImage Image, long CaptureTimeUs);
