namespace PersonaLive.WebRtc.Media.Congestion;

/// <summary>What the overuse detector concludes about the path (draft-ietf-rmcat-gcc-02 section 5.4).</summary>
public enum BandwidthUsage
{
    Normal,
    Underusing,
    Overusing,
}

/// <summary>
/// The over-use detector of draft-ietf-rmcat-gcc-02 section 5.4: the trend (slope times the number of
/// samples, capped at 60, times a gain of 4) is compared with an adaptive threshold that starts at
/// 12.5 and follows the trend's magnitude (up by 0.01, down by 0.00018 per ms, clamped to 6..600;
/// section 5.4 equations with the gains browsers use). Overuse is signalled only after the trend stayed
/// above the threshold for 10 ms and did not fall.
/// </summary>
public sealed class OveruseDetector
{
    private const double Gain = 4;
    private const double KUp = 0.01, KDown = 0.00018;
    private const double OveruseTimeMs = 10;

    private double _threshold = 12.5;
    private double _overuseMs = -1;
    private double _previousTrend;
    private int _overuseCount;
    private double _lastUpdateMs = double.NaN;

    public BandwidthUsage State { get; private set; } = BandwidthUsage.Normal;

    /// <summary>Feeds one slope from the trendline at time <paramref name="nowMs"/>; returns the new state.</summary>
    public BandwidthUsage Detect(double slope, int samples, double deltaMs, double nowMs)
    {
        double trend = Math.Min(samples, 60) * slope * Gain;
        if (trend > _threshold)
        {
            _overuseMs = _overuseMs < 0 ? deltaMs / 2 : _overuseMs + deltaMs;
            _overuseCount++;
            if (_overuseMs > OveruseTimeMs && _overuseCount > 1 && trend >= _previousTrend)
            {
                _overuseMs = 0;
                _overuseCount = 0;
                State = BandwidthUsage.Overusing;
            }
        }
        else if (trend < -_threshold)
        {
            _overuseMs = -1;
            _overuseCount = 0;
            State = BandwidthUsage.Underusing;
        }
        else
        {
            _overuseMs = -1;
            _overuseCount = 0;
            State = BandwidthUsage.Normal;
        }

        _previousTrend = trend;
        Adapt(trend, nowMs);
        return State;
    }

    private void Adapt(double trend, double nowMs)
    {
        if (double.IsNaN(_lastUpdateMs))
        {
            _lastUpdateMs = nowMs;
        }

        if (Math.Abs(trend) > _threshold + 15)
        {
            _lastUpdateMs = nowMs; // a spike (e.g. a route change) does not drag the threshold along
            return;
        }

        double k = Math.Abs(trend) < _threshold ? KDown : KUp;
        double dt = Math.Min(nowMs - _lastUpdateMs, 100);
        _threshold = Math.Clamp(_threshold + k * (Math.Abs(trend) - _threshold) * dt, 6, 600);
        _lastUpdateMs = nowMs;
    }
}
