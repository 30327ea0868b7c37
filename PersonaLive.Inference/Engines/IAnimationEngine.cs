using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Engines;

/// <summary>
/// One live session's animator (docs/architecture.md, "Engine interface"). Created per session by an
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
    /// How many driving frames an output lags behind its own driving frame: output n (counted from the
    /// portrait being set) was driven by input n - <see cref="PipelineDelayFrames"/>. 0 for engines that
    /// animate each frame as it comes (lite); 12 for personalive, whose 16-frame window emits the oldest
    /// 4 frames per chunk.
    /// </summary>
    int PipelineDelayFrames => 0;

    /// <summary>
    /// Takes exactly <see cref="ChunkSize"/> driving frames and returns exactly <see cref="ChunkSize"/>
    /// output frames, oldest first. Each output carries the capture time of the driving frame that drove it,
    /// so with a pipeline delay the outputs carry the times of earlier inputs, and the latency measured
    /// from them includes the delay. While the pipeline fills (the first <see cref="PipelineDelayFrames"/>
    /// outputs after <see cref="SetPortrait"/>) no input has driven an output yet: those frames are marked
    /// <see cref="AnimatedFrame.WarmUp"/> and carry the first input's capture time. Capture times of the
    /// other outputs increase strictly when the inputs' do. Output images are owned by the caller.
    /// </summary>
    IReadOnlyList<AnimatedFrame> Animate(IReadOnlyList<DrivingFrame> chunk);
}

/// <summary>A camera frame handed to an engine, with the capture time of the browser's clock.</summary>
/// <param name="Image">RGBA pixels of the decoded camera frame (any size).</param>
/// <param name="CaptureTimeUs">Capture time in microseconds on the sender's clock; carried to the output.</param>
public sealed record DrivingFrame(RgbaImage Image, long CaptureTimeUs);

/// <summary>An engine output frame and the capture time of the driving frame that produced it.</summary>
/// <param name="Image">RGBA pixels of the output (<see cref="IAnimationEngine.OutputSize"/> square).</param>
/// <param name="CaptureTimeUs">Capture time of the driving frame that drove this output.</param>
/// <param name="WarmUp">
/// True for the outputs a filling pipeline emits before any input drove one (they carry the first
/// input's capture time, which later outputs repeat); the live loop does not send them.
/// </param>
public sealed record AnimatedFrame(RgbaImage Image, long CaptureTimeUs, bool WarmUp = false);
