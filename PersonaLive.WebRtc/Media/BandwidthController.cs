namespace PersonaLive.WebRtc.Media;

/// <summary>
/// Loss-based send-rate control (docs/webrtc.md, "Download rate"): above 10 % loss reported in the peer's RRs
/// cut the target by 15 %, below 2 % raise it by 5 % per report, never past the peer's REMB or the
/// configured bounds. Pure arithmetic; the caller applies the result to the encoder.
/// </summary>
public sealed class BandwidthController
{
    private readonly int _minKbps;
    private readonly int _maxKbps;
    private int? _rembKbps;

    public BandwidthController(int startKbps, int minKbps, int maxKbps)
    {
        _minKbps = minKbps;
        _maxKbps = Math.Max(minKbps, maxKbps);
        TargetKbps = Math.Clamp(startKbps, _minKbps, _maxKbps);
    }

    public int TargetKbps { get; private set; }

    /// <summary>Applies one receiver report's fraction lost (0..1); returns the new target.</summary>
    public int OnReceiverReport(double fractionLost)
    {
        double next = TargetKbps;
        if (fractionLost > 0.10)
        {
            next *= 0.85;
        }
        else if (fractionLost < 0.02)
        {
            next *= 1.05;
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
