using PersonaLive.WebRtc.Media;

namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// Frame rate and size follow the target bitrate through a <see cref="QualityLadder"/>: below
/// <c>Rtc:FrameRateFloorKbps</c> every second picture is skipped before encoding (the encoder's budget per
/// frame doubles); below <c>Rtc:ResolutionFloorKbps</c> the ladder's <see cref="RecommendedScale"/> asks the
/// caller for a smaller picture (the encoder is re-created at the new size with a keyframe). A keyframe that
/// is due is never skipped. Encode lock only; no allocation.
/// </summary>
internal sealed partial class VideoSender
{
    private QualityLadder? _ladder;
    private int _decimation;
    private long _framesSkipped;

    /// <summary>Scale the caller should apply to the picture's width and height (1, 0.75 or 0.5).</summary>
    public double RecommendedScale => _ladder?.Scale ?? 1.0;

    /// <summary>The ladder's level (0 = full quality).</summary>
    public int QualityLevel => _ladder?.Level ?? 0;

    /// <summary>Whether this picture is skipped to lower the frame rate. Caller holds the encode lock.</summary>
    private bool SkipForFrameRate()
    {
        _ladder ??= new QualityLadder(_options.FrameRateFloorKbps, _options.ResolutionFloorKbps);
        _ladder.Update(_pendingBitrateKbps, Environment.TickCount64);
        int divisor = _ladder.FrameRateDivisor;
        if (divisor == 1 || _forceKeyframe)
        {
            _decimation = 0;
            return false;
        }

        _decimation = (_decimation + 1) % divisor;
        if (_decimation == 0)
        {
            return false;
        }

        Interlocked.Increment(ref _framesSkipped);
        return true;
    }
}
