using System.Diagnostics;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Live.Imaging;

namespace PersonaLive.Web.Live.Pipeline;

/// <summary>
/// One engine chunk: camera frames in, animated frames out, as I420 pictures the encoder takes. An
/// engine that works in I420 (<see cref="IPlanarAnimationEngine"/>) gets the decoded pictures as they
/// are and gives pooled I420 pictures back; the others get RGBA, converted here each way.
/// </summary>
internal sealed partial class LiveSession
{
    private readonly List<DrivingFrame> _drivingScratch = new(4);
    private readonly List<PlanarDrivingFrame> _planarScratch = new(4);
    private readonly List<OutputFrame> _outputScratch = new(4);

    private List<OutputFrame> AnimateChunk(IReadOnlyList<CameraFrame> chunk)
    {
        try
        {
            for (var i = 0; i < chunk.Count; i++) _arrivals.Record(chunk[i].CaptureTimeUs, chunk[i].ArrivalTimestamp);
            return _engine is IPlanarAnimationEngine planar ? AnimatePlanar(planar, chunk) : AnimateRgba(chunk);
        }
        finally
        {
            for (var i = 0; i < chunk.Count; i++) chunk[i].Dispose();
        }
    }

    private List<OutputFrame> AnimatePlanar(IPlanarAnimationEngine engine, IReadOnlyList<CameraFrame> chunk)
    {
        var driving = _planarScratch; // reused: one worker, and the engine reads it synchronously
        driving.Clear();
        for (var i = 0; i < chunk.Count; i++) driving.Add(new PlanarDrivingFrame(chunk[i].Image, chunk[i].CaptureTimeUs));
        var started = Stopwatch.GetTimestamp();
        var animated = engine.AnimatePlanar(driving);
        RecordChunkTime(started);
        var outputs = _outputScratch;
        outputs.Clear();
        for (var i = 0; i < animated.Count; i++)
        {
            var frame = animated[i];
            if (frame.WarmUp)
            {
                frame.Image.Dispose(); // see AnimateRgba: a filling pipeline's frames are not sent
                continue;
            }
            outputs.Add(new OutputFrame(frame.Image, frame.CaptureTimeUs, _arrivals.ArrivalOf(frame.CaptureTimeUs) ?? chunk[0].ArrivalTimestamp));
        }
        driving.Clear();
        return outputs;
    }

    private List<OutputFrame> AnimateRgba(IReadOnlyList<CameraFrame> chunk)
    {
        var driving = _drivingScratch; // reused, like outputs: one worker, and engine and pacer read them synchronously
        driving.Clear();
        try
        {
            for (var i = 0; i < chunk.Count; i++) driving.Add(new DrivingFrame(YuvConverter.ToRgba(chunk[i].Image), chunk[i].CaptureTimeUs));
            var started = Stopwatch.GetTimestamp();
            var animated = _engine.Animate(driving);
            RecordChunkTime(started);
            var outputs = _outputScratch;
            outputs.Clear();
            for (var i = 0; i < animated.Count; i++)
            {
                using var image = animated[i].Image;
                // Warm-up frames of a filling pipeline were driven by no input yet: not sent (they would
                // repeat the capture time, and so the RTP timestamp, of the first real output).
                if (animated[i].WarmUp) continue;
                var arrival = _arrivals.ArrivalOf(animated[i].CaptureTimeUs) ?? chunk[0].ArrivalTimestamp;
                outputs.Add(new OutputFrame(YuvConverter.ToI420(image), animated[i].CaptureTimeUs, arrival));
            }
            return outputs;
        }
        finally
        {
            for (var i = 0; i < driving.Count; i++) driving[i].Image.Dispose();
            driving.Clear();
        }
    }

    private void RecordChunkTime(long started)
    {
        _lastChunkMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        _metrics.EngineChunk.Record(_lastChunkMs, new KeyValuePair<string, object?>("engine", _engine.Name));
    }
}
