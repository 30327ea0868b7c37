namespace PersonaLive.WebRtc.Media.Congestion;

/// <summary>
/// A delay-based send-rate estimate from transport-cc results (draft-ietf-rmcat-gcc-02 section 5):
/// <see cref="TrendlineFilter"/> feeds <see cref="OveruseDetector"/>, whose state drives AIMD rate
/// control (section 5.5): on overuse the target drops to 0.85 x the acknowledged rate, under normal use
/// it grows by 8 % per second but not past 1.5 x the acknowledged rate plus 10 kb/s, under underuse it
/// holds. The acknowledged rate is the bytes the peer reported received among those we sent in the last
/// 500 ms, divided by the longer of their arrival span and their send span: the peer's clock can show
/// congestion but cannot claim more than we actually sent. The target is always clamped to the
/// configured bounds. Called on the executor only.
/// </summary>
public sealed class DelayBasedEstimator : ITransportFeedbackObserver
{
    private const long AckWindowUs = 500_000;
    private const long HoldAfterDecreaseUs = 200_000;

    private readonly int _minKbps, _maxKbps;
    private readonly TrendlineFilter _trendline = new();
    private readonly OveruseDetector _detector = new();
    private readonly Queue<(long SendUs, long ArrivalUs, int Bytes)> _acked = new();
    private long _ackedBytes, _lastUpdateUs = long.MinValue, _holdUntilUs = long.MinValue, _lastGroupSendUs = long.MinValue;
    private double _targetKbps;

    public DelayBasedEstimator(int startKbps, int minKbps, int maxKbps)
    {
        _minKbps = minKbps;
        _maxKbps = Math.Max(minKbps, maxKbps);
        _targetKbps = Math.Clamp(startKbps, _minKbps, _maxKbps);
    }

    public int TargetKbps => (int)_targetKbps;

    public BandwidthUsage State => _detector.State;

    /// <summary>The acknowledged rate (kb/s) over the last 500 ms of our send times.</summary>
    public double AckedKbps { get; private set; }

    public void OnPacketResults(IReadOnlyList<PacketResult> results, long nowUs)
    {
        ArgumentNullException.ThrowIfNull(results);
        long newestSend = long.MinValue;
        for (int i = 0; i < results.Count; i++) // indexed: foreach over the interface would box an enumerator per feedback
        {
            var r = results[i];
            if (!r.Received)
            {
                continue;
            }

            _acked.Enqueue((r.SendTimeUs, r.ArrivalUs, r.Size));
            _ackedBytes += r.Size;
            newestSend = Math.Max(newestSend, r.SendTimeUs);
            if (_trendline.Add(r.SendTimeUs, r.ArrivalUs))
            {
                double deltaMs = _lastGroupSendUs == long.MinValue ? TrendlineFilter.BurstUs / 1000.0 : Math.Clamp((r.SendTimeUs - _lastGroupSendUs) / 1000.0, 0, 1000);
                _lastGroupSendUs = r.SendTimeUs;
                _detector.Detect(_trendline.Slope, _trendline.Samples, deltaMs, r.ArrivalUs / 1000.0);
            }
        }

        while (_acked.Count > 0 && (_acked.Count > 4096 || (newestSend != long.MinValue && newestSend - _acked.Peek().SendUs > AckWindowUs)))
        {
            _ackedBytes -= _acked.Dequeue().Bytes;
        }

        MeasureAcked();
        UpdateRate(nowUs);
    }

    private void MeasureAcked()
    {
        if (_acked.Count < 2)
        {
            return;
        }

        long minSend = long.MaxValue, maxSend = long.MinValue, minArrival = long.MaxValue, maxArrival = long.MinValue;
        foreach (var (send, arrival, _) in _acked)
        {
            (minSend, maxSend) = (Math.Min(minSend, send), Math.Max(maxSend, send));
            (minArrival, maxArrival) = (Math.Min(minArrival, arrival), Math.Max(maxArrival, arrival));
        }

        double spanMs = Math.Max(50, Math.Max(maxSend - minSend, maxArrival - minArrival) / 1000.0);
        AckedKbps = _ackedBytes * 8.0 / spanMs;
    }

    private void UpdateRate(long nowUs)
    {
        double elapsedS = _lastUpdateUs == long.MinValue ? 0 : Math.Clamp((nowUs - _lastUpdateUs) / 1e6, 0, 1);
        _lastUpdateUs = nowUs;
        double acked = AckedKbps;
        switch (_detector.State)
        {
            case BandwidthUsage.Overusing when nowUs >= _holdUntilUs:
                _targetKbps = acked > 0 ? Math.Min(_targetKbps, 0.85 * acked) : 0.85 * _targetKbps;
                _holdUntilUs = nowUs + HoldAfterDecreaseUs;
                break;
            case BandwidthUsage.Normal when nowUs >= _holdUntilUs:
                double increased = _targetKbps * Math.Pow(1.08, elapsedS);
                double cap = Math.Max(_targetKbps, 1.5 * acked + 10);
                _targetKbps = Math.Min(increased, cap);
                break;
        }

        _targetKbps = Math.Clamp(_targetKbps, _minKbps, _maxKbps);
    }
}
