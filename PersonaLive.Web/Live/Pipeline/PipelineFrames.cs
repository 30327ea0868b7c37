using PersonaLive.Media;

namespace PersonaLive.Web.Live.Pipeline;

/// <summary>A camera frame waiting in the FrameGate: a reference to the decoded (pooled) picture, browser capture time, server arrival timestamp.</summary>
internal sealed class CameraFrame(I420Frame image, long captureTimeUs, long arrivalTimestamp) : IDisposable
{
    public I420Frame Image { get; } = image;

    /// <summary>Capture time on the browser's clock (Unix epoch microseconds).</summary>
    public long CaptureTimeUs { get; } = captureTimeUs;

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when the decoded frame reached the pipeline.</summary>
    public long ArrivalTimestamp { get; } = arrivalTimestamp;

    public void Dispose() => Image.Dispose();
}

/// <summary>An engine output ready to encode, carrying the capture time of the frame that drove it.</summary>
internal sealed class OutputFrame(I420Frame image, long captureTimeUs, long arrivalTimestamp) : IDisposable
{
    public I420Frame Image { get; } = image;
    public long CaptureTimeUs { get; } = captureTimeUs;

    /// <summary>Arrival timestamp of the driving camera frame (for the server-side part of the latency).</summary>
    public long ArrivalTimestamp { get; } = arrivalTimestamp;

    public void Dispose() => Image.Dispose();
}
