namespace PersonaLive.Inference.Engines;

/// <summary>
/// The capture-time bookkeeping of an engine whose outputs lag their driving frames by a fixed number of
/// frames (<see cref="IAnimationEngine.PipelineDelayFrames"/>): each input's capture time waits here until
/// the output it drove leaves, so that output carries it. The first <c>delayFrames</c> outputs after
/// <see cref="Reset"/> were driven by no input yet (the pipeline's warm-up) and carry the first input's
/// time, marked as warm-up. Not thread-safe: owned by one engine.
/// </summary>
public sealed class PipelineTimestamps
{
    private readonly Queue<long> _waiting = new();
    private readonly int _delayFrames;
    private int _warmUpLeft;
    private long? _first;

    /// <param name="delayFrames">Outputs between an input entering and its own output leaving.</param>
    public PipelineTimestamps(int delayFrames)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(delayFrames);
        _delayFrames = delayFrames;
        _warmUpLeft = delayFrames;
    }

    /// <summary>Forgets every waiting time: the pipeline starts filling again (a new portrait).</summary>
    public void Reset()
    {
        _waiting.Clear();
        _warmUpLeft = _delayFrames;
        _first = null;
    }

    /// <summary>An input entered the pipeline.</summary>
    public void Enter(long captureTimeUs)
    {
        _first ??= captureTimeUs;
        _waiting.Enqueue(captureTimeUs);
    }

    /// <summary>
    /// An output leaves: the capture time of the input that drove it, or during warm-up the first input's
    /// time with <c>WarmUp</c> set. Call after <see cref="Enter"/> for the chunk that produced it.
    /// </summary>
    public (long CaptureTimeUs, bool WarmUp) Leave()
    {
        if (_first is not { } first) throw new InvalidOperationException("An output cannot leave before any input entered.");
        if (_warmUpLeft > 0)
        {
            _warmUpLeft--;
            return (first, true);
        }
        return (_waiting.Dequeue(), false);
    }
}
