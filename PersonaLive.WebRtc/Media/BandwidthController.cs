namespace PersonaLive.WebRtc.Media;

/// <summary>
/// Loss-based send-rate control (docs/webrtc.md, "Download rate"; draft-ietf-rmcat-gcc-02 section 6):
/// above 10 % loss reported in one of the peer's RRs cut the target by 15 %; below 2 % raise it, by
/// <see cref="Congestion.DelayBasedEstimator.IncreasePerSecond"/> per report (about one a second: 8 %,
/// faster the longer no report held or cut it); in between hold. Random loss of about 1 % on a link is
/// not congestion, but at a few dozen packets per report one lost packet reads 3 %: a report between
/// 2 and 10 % holds only when the smoothed loss of the recent reports (<see cref="SmoothedLoss"/>) is
/// also 2 % or more. Never past the peer's REMB or the configured bounds. Pure arithmetic; the caller
/// applies the result to the encoder.
/// </summary>
public sealed class BandwidthController
{
    private readonly int _minKbps;
    private readonly int _maxKbps;
    private int? _rembKbps;
    private int _growingReports;

    public BandwidthController(int startKbps, int minKbps, int maxKbps)
    {
        _minKbps = minKbps;
        _maxKbps = Math.Max(minKbps, maxKbps);
        TargetKbps = Math.Clamp(startKbps, _minKbps, _maxKbps);
    }

    public int TargetKbps { get; private set; }

    /// <summary>Exponentially smoothed fraction lost (each report weighs 0.3).</summary>
    public double SmoothedLoss { get; private set; }

    /// <summary>Applies one receiver report's fraction lost (0..1); returns the new target.</summary>
    public int OnReceiverReport(double fractionLost)
    {
        double p = double.IsFinite(fractionLost) ? Math.Clamp(fractionLost, 0, 1) : 0;
        SmoothedLoss = 0.7 * SmoothedLoss + 0.3 * p;
        double next = TargetKbps;
        if (p > 0.10)
        {
            next *= 0.85;
            _growingReports = 0;
        }
        else if (p < 0.02 || SmoothedLoss < 0.02)
        {
            next *= Congestion.DelayBasedEstimator.IncreasePerSecond(_growingReports++);
        }
        else
        {
            _growingReports = 0;
        }

        return Apply(next);
    }

    /// <summary>Applies a REMB from the peer as an upper bound (bits per second).</summary>
    public int OnRemb(ulong bitsPerSecond)
    {
        _rembKbps = (int)Math.Min(int.MaxValue, bitsPerSecond / 1000);
        return Apply(TargetKbps);
    }

    private int Apply(double kbps)
    {
        int ceiling = _rembKbps is int r ? Math.Min(_maxKbps, Math.Max(_minKbps, r)) : _maxKbps;
        TargetKbps = (int)Math.Clamp(kbps, _minKbps, ceiling);
        return TargetKbps;
    }
}
