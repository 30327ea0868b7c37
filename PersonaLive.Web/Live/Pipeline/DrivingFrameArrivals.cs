namespace PersonaLive.Web.Live.Pipeline;

/// <summary>
/// When the recent driving frames arrived (server clock), by capture time. An engine with a pipeline delay
/// returns a chunk's outputs stamped with the capture times of earlier inputs; this finds when those inputs
/// arrived, so the server latency of an output (driving frame's arrival to the output's send) includes the
/// delay. Keeps the last <c>capacity</c> frames; used by the engine loop only (not thread-safe).
/// </summary>
internal sealed class DrivingFrameArrivals(int capacity)
{
    private readonly Queue<(long CaptureUs, long Arrival)> _recent = new();

    /// <summary>A driving frame went into the engine.</summary>
    public void Record(long captureUs, long arrivalTimestamp)
    {
        if (_recent.Count == capacity) _recent.Dequeue();
        _recent.Enqueue((captureUs, arrivalTimestamp));
    }

    /// <summary>The arrival of the newest recorded frame with this capture time, or null if it is no longer kept.</summary>
    public long? ArrivalOf(long captureUs)
    {
        long? found = null;
        foreach (var (capture, arrival) in _recent)
            if (capture == captureUs) found = arrival;
        return found;
    }
}
