using PersonaLive.Media;

namespace PersonaLive.Inference.Engines;

/// <summary>
/// An engine that takes the decoded camera picture as it is (I420) and gives I420 pictures back, so the
/// live loop skips the RGBA conversion of every input and of every output (a managed colour conversion
/// each way per frame). The contract is <see cref="IAnimationEngine.Animate"/>'s: exactly
/// <see cref="IAnimationEngine.ChunkSize"/> outputs per call, oldest first, each carrying the capture
/// time of the input that drove it, warm-up outputs marked. The inputs stay the caller's (valid during
/// the call: an engine that keeps one retains it); the outputs become the caller's, who disposes them.
/// The returned list may be reused by the next call.
/// </summary>
public interface IPlanarAnimationEngine : IAnimationEngine
{
    IReadOnlyList<PlanarAnimatedFrame> AnimatePlanar(IReadOnlyList<PlanarDrivingFrame> chunk);
}

/// <summary>A decoded camera frame handed to a <see cref="IPlanarAnimationEngine"/> (a value: nothing allocated per frame).</summary>
/// <param name="Image">The decoded picture (any size).</param>
/// <param name="CaptureTimeUs">Capture time in microseconds on the sender's clock; carried to the output.</param>
public readonly record struct PlanarDrivingFrame(I420Frame Image, long CaptureTimeUs);

/// <summary>An output picture of a <see cref="IPlanarAnimationEngine"/> (<see cref="IAnimationEngine.OutputSize"/> square) and the capture time of its input.</summary>
/// <param name="Image">The output picture, owned by the caller.</param>
/// <param name="CaptureTimeUs">Capture time of the driving frame that drove this output.</param>
/// <param name="WarmUp">As <see cref="AnimatedFrame.WarmUp"/>: emitted before any input drove an output; not sent.</param>
public readonly record struct PlanarAnimatedFrame(I420Frame Image, long CaptureTimeUs, bool WarmUp = false);
