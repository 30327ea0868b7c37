namespace PersonaLive.WebRtc.Media;

/// <summary>
/// What the encoder should produce for a target bitrate: below <c>frameRateFloorKbps</c> half the frame
/// rate (fewer, better frames keep a face readable), below <c>resolutionFloorKbps</c> also three quarters
/// of the size (512 to 384), below three quarters of that floor half the size (256). A level is left
/// downwards at once and upwards only after the target stayed 25 % above the floor that caused it for
/// <see cref="UpHoldMs"/>, so an estimate wobbling around a floor does not flip frame rate or size (each
/// size change costs a keyframe). Pure: the caller supplies the clock.
/// </summary>
public sealed class QualityLadder
{
    /// <summary>How long the target must stay above a floor (plus 25 %) before stepping back up.</summary>
    public const long UpHoldMs = 2000;

    private const double UpMargin = 1.25;

    private readonly double[] _floors;
    private long _aboveSinceMs = long.MinValue;

    public QualityLadder(int frameRateFloorKbps, int resolutionFloorKbps)
    {
        _floors = [frameRateFloorKbps, resolutionFloorKbps, resolutionFloorKbps * 0.75];
    }

    /// <summary>0 = full quality; 1 = half frame rate; 2 = also 3/4 size; 3 = also 1/2 size.</summary>
    public int Level { get; private set; }

    /// <summary>Encode one frame in this many (1 or 2).</summary>
    public int FrameRateDivisor => Level >= 1 ? 2 : 1;

    /// <summary>Scale of the picture's width and height (1, 0.75 or 0.5).</summary>
    public double Scale => Level switch { >= 3 => 0.5, 2 => 0.75, _ => 1.0 };

    /// <summary>Follows the target bitrate at <paramref name="nowMs"/>; returns the level.</summary>
    public int Update(int targetKbps, long nowMs)
    {
        while (Level < _floors.Length && targetKbps < _floors[Level])
        {
            Level++; // down at once, as far as needed
            _aboveSinceMs = long.MinValue;
        }

        if (Level == 0 || targetKbps < _floors[Level - 1] * UpMargin)
        {
            _aboveSinceMs = long.MinValue;
            return Level;
        }

        if (_aboveSinceMs == long.MinValue)
        {
            _aboveSinceMs = nowMs;
        }
        else if (nowMs - _aboveSinceMs >= UpHoldMs)
        {
            Level--; // one step up at a time, each after its own hold
            _aboveSinceMs = long.MinValue;
        }

        return Level;
    }
}
