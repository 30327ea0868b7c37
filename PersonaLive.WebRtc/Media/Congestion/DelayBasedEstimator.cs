namespace PersonaLive.WebRtc.Media.Congestion;

/// <summary>
/// A delay-based send-rate estimate from transport-cc results (draft-ietf-rmcat-gcc-02 section 5):
/// <see cref="TrendlineFilter"/> feeds <see cref="OveruseDetector"/>, whose state drives AIMD rate
/// control (section 5.5): on overuse the target drops below the acknowledged rate (0.85 x, less when a
/// long queue must drain: 1 - queue seconds, at least 0.5 x), under normal use it grows by 8 % per second
/// but not past 1.5 x the acknowledged rate plus 10 kb/s, under underuse it holds. Growth speeds up the
/// longer it goes on unchallenged (<see cref="IncreasePerSecond"/>: 8 % for 2 s, then 4 points more each
/// second, at most 30 %; any cut, hold or queue starts over): after a capacity step up 8 % a second
/// would need 20 s from 0.5 to 3 Mbit/s. Within 10 % of the capacity found at the last overuses (the
/// acknowledged rate when a queue made us cut while sending near the target, smoothed) growth is 5 % a second instead, as GCC's
/// additive increase near the link's capacity: accelerating into a known limit ran a 500 kbit/s link
/// into its router's tail drop and froze the picture. For <see cref="ProbeAfterUs"/> after a cut the target
/// grows no further than <see cref="HeadroomFraction"/> of that capacity (when the cut went under it; a cut
/// that lands above says the capacity found is out of date, as after a step up), then probes past it at the slow
/// rate: a sender that runs at 95-100 % of the link keeps a queue whose swings (an encoder's burst, a
/// keyframe) delay every frame and the repairs of lost packets, and on a 1 Mbit/s link cost freezes.
/// Beside the gradient,
/// <see cref="QueueDelayFilter"/> measures the queue itself: no growth while it is above 40 ms, and a
/// queue above 120 ms that did not shrink since the last cut counts as overuse (a rate a few percent
/// over capacity grows a queue too slowly for the trend to show); while the queue is shorter than that,
/// cuts go no lower than half the target of the last growth (a sender with little to send, as after a
/// frozen input, acknowledges a low rate that says nothing about the link). The acknowledged rate is the bytes
/// reported received in the last 300 ms of the peer's clock, divided by the longer of their arrival
/// span and their send span: the peer's clock can show congestion but cannot claim more than we
/// actually sent. The target is always clamped to the configured bounds. Called on the executor only.
/// </summary>
public sealed class DelayBasedEstimator : ITransportFeedbackObserver
{
    private const long AckWindowUs = 300_000;
    private const long HoldAfterDecreaseUs = 200_000;

    /// <summary>A standing queue longer than this is treated as overuse even when it grows too slowly for the trend to show.</summary>
    public const long StandingQueueUs = 120_000;

    /// <summary>No increase while the queue is longer than this: it is still draining.</summary>
    public const long IncreaseQueueUs = 40_000;

    private readonly int _minKbps, _maxKbps;
    private readonly TrendlineFilter _trendline = new();
    private readonly OveruseDetector _detector = new();
    private readonly QueueDelayFilter _queue = new();
    private readonly Queue<(long SendUs, long ArrivalUs, int Bytes)> _acked = new();
    private long _ackedBytes, _lastUpdateUs = long.MinValue, _holdUntilUs = long.MinValue, _lastGroupSendUs = long.MinValue;
    private double _targetKbps;
    private long _queueAtDecreaseUs;
    private long _growingSinceUs = long.MinValue;
    private double _calmKbps; // the target when it last grew: what short-queue cuts may at most halve
    private double _capacityKbps; // the acknowledged rate at the last overuses with a queue: where the link was full
    private long _lastCutUs = long.MinValue;
    private bool _headroomHold; // the last cut landed under the headroom: hold there until the probe is due

    /// <summary>Share of the capacity found at the last overuses that the target grows to and then holds at, for <see cref="ProbeAfterUs"/> after a cut.</summary>
    public const double HeadroomFraction = 0.85;

    /// <summary>How long after a cut the target holds under <see cref="HeadroomFraction"/> of the capacity before it probes past it again.</summary>
    public const long ProbeAfterUs = 4_000_000;

    /// <summary>Growth per second while the target is within <see cref="CapacityBand"/> of the capacity found at the last overuses.</summary>
    public const double NearCapacityIncreasePerSecond = 1.05;

    /// <summary>How close (as a fraction) to the last capacity found the target grows slowly.</summary>
    public const double CapacityBand = 0.1;

    public DelayBasedEstimator(int startKbps, int minKbps, int maxKbps)
    {
        _minKbps = minKbps;
        _maxKbps = Math.Max(minKbps, maxKbps);
        _targetKbps = Math.Clamp(startKbps, _minKbps, _maxKbps);
        _calmKbps = _targetKbps;
    }

    public int TargetKbps => (int)_targetKbps;

    public BandwidthUsage State => _detector.State;

    /// <summary>The queueing delay our packets see now (µs), from <see cref="QueueDelayFilter"/>.</summary>
    public long QueueDelayUs => _queue.QueueUs;

    /// <summary>The acknowledged rate (kb/s) of the packets that arrived in the last 300 ms of the peer's clock.</summary>
    public double AckedKbps { get; private set; }

    public void OnPacketResults(IReadOnlyList<PacketResult> results, long nowUs)
    {
        ArgumentNullException.ThrowIfNull(results);
        long newestArrival = long.MinValue;
        for (int i = 0; i < results.Count; i++) // indexed: foreach over the interface would box an enumerator per feedback
        {
            var r = results[i];
            if (!r.Received)
            {
                continue;
            }

            _queue.Add(r.SendTimeUs, r.ArrivalUs);
            _acked.Enqueue((r.SendTimeUs, r.ArrivalUs, r.Size));
            _ackedBytes += r.Size;
            newestArrival = Math.Max(newestArrival, r.ArrivalUs);
            if (_trendline.Add(r.SendTimeUs, r.ArrivalUs))
            {
                double deltaMs = _lastGroupSendUs == long.MinValue ? TrendlineFilter.BurstUs / 1000.0 : Math.Clamp((r.SendTimeUs - _lastGroupSendUs) / 1000.0, 0, 1000);
                _lastGroupSendUs = r.SendTimeUs;
                _detector.Detect(_trendline.Slope, _trendline.Samples, deltaMs, r.ArrivalUs / 1000.0);
            }
        }

        while (_acked.Count > 0 && (_acked.Count > 4096 || (newestArrival != long.MinValue && (double)newestArrival - _acked.Peek().ArrivalUs > AckWindowUs)))
        {
            _ackedBytes -= _acked.Dequeue().Bytes;
        }

        _queue.Complete(nowUs);
        MeasureAcked();
        UpdateRate(nowUs);
    }

    /// <summary>Growth factor per second under normal use after <paramref name="growingS"/> seconds of uninterrupted growth.</summary>
    public static double IncreasePerSecond(double growingS) => 1.08 + Math.Clamp(0.04 * (growingS - 2), 0, 0.22);

    /// <summary>The capacity found at the last overuses (kb/s; 0 before the first): near it the target grows slowly.</summary>
    public double CapacityKbps => _capacityKbps;

    private bool NearCapacity => _capacityKbps > 0 && Math.Abs(_targetKbps - _capacityKbps) <= CapacityBand * _capacityKbps;

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
        long queue = _queue.QueueUs;
        if (queue < IncreaseQueueUs)
        {
            _queueAtDecreaseUs = 0;
        }

        // A queue that is long and not draining since our last cut is overuse the trend is too slow to show.
        bool standing = queue > StandingQueueUs && queue >= _queueAtDecreaseUs;
        var state = _detector.State == BandwidthUsage.Normal && standing ? BandwidthUsage.Overusing : _detector.State;
        switch (state)
        {
            case BandwidthUsage.Overusing when nowUs >= _holdUntilUs:
                // Below the rate that got through by enough to drain the queue in about a second.
                // With a short queue the link was not full: the acknowledged rate may only be what we had to send.
                if (acked >= 0.8 * _targetKbps && queue >= IncreaseQueueUs) // a sender short of data says nothing about the link
                {
                    _capacityKbps = _capacityKbps > 0 && Math.Abs(acked - _capacityKbps) < 0.3 * _capacityKbps ? 0.7 * _capacityKbps + 0.3 * acked : acked;
                }

                double factor = Math.Clamp(1 - queue / 1e6, 0.5, 0.85);
                double cut = acked > 0 ? factor * acked : factor * _targetKbps;
                _targetKbps = Math.Min(_targetKbps, queue < StandingQueueUs ? Math.Max(cut, 0.5 * _calmKbps) : cut);
                _holdUntilUs = nowUs + HoldAfterDecreaseUs;
                _lastCutUs = nowUs;
                _headroomHold = _targetKbps < HeadroomFraction * _capacityKbps; // above it, that capacity is out of date
                _queueAtDecreaseUs = queue;
                break;
            case BandwidthUsage.Normal when nowUs >= _holdUntilUs && queue < IncreaseQueueUs:
                _growingSinceUs = _growingSinceUs == long.MinValue ? nowUs : _growingSinceUs;
                double perSecond = NearCapacity ? NearCapacityIncreasePerSecond : IncreasePerSecond((nowUs - _growingSinceUs) / 1e6);
                double increased = _targetKbps * Math.Pow(perSecond, elapsedS);
                double cap = Math.Max(_targetKbps, 1.5 * acked + 10);
                if (_headroomHold && nowUs - _lastCutUs < ProbeAfterUs)
                {
                    cap = Math.Min(cap, Math.Max(_targetKbps, HeadroomFraction * _capacityKbps)); // leave the link room; probe later
                }

                _targetKbps = Math.Min(increased, cap);
                _calmKbps = _targetKbps;
                break;
            default:
                _growingSinceUs = long.MinValue; // a cut, a hold or a queue: growth starts slow again
                break;
        }

        _targetKbps = Math.Clamp(_targetKbps, _minKbps, _maxKbps);
    }
}
