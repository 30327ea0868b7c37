namespace PersonaLive.WebRtc.Media.Congestion;

/// <summary>
/// How much queue our packets currently sit behind: each feedback's mean one-way delay (arrival on the
/// peer's clock minus our send time, so the clocks' offset cancels) minus the lowest one seen in the last
/// <see cref="WindowSeconds"/> seconds (the path's base delay, the same idea as LEDBAT's base-delay
/// history, RFC 6817 section 3.4.2). The delay gradient of draft-ietf-rmcat-gcc-02 notices a queue
/// growing; this says how long it already is, so the rate controller can drain it and will not grow into
/// it. Ten one-second minima in a ring; no allocation; absurd times only move the result within
/// 0..<see cref="MaxUs"/>.
/// </summary>
public sealed class QueueDelayFilter
{
    public const int WindowSeconds = 10;
    public const long MaxUs = 2_000_000;

    private readonly double[] _minima = new double[WindowSeconds];
    private long _bucketSecond = long.MinValue;
    private double _sum;
    private int _count;

    public QueueDelayFilter() => Array.Fill(_minima, double.PositiveInfinity);

    /// <summary>The queueing delay estimated from the last completed feedback (µs, 0..<see cref="MaxUs"/>).</summary>
    public long QueueUs { get; private set; }

    /// <summary>Adds one received packet of the feedback being processed.</summary>
    public void Add(long sendUs, long arrivalUs)
    {
        double oneWay = (double)arrivalUs - sendUs;
        if (double.IsFinite(oneWay))
        {
            _sum += oneWay;
            _count++;
        }
    }

    /// <summary>Ends one feedback at our time <paramref name="nowUs"/>: updates the base delay and <see cref="QueueUs"/>.</summary>
    public void Complete(long nowUs)
    {
        if (_count == 0)
        {
            return;
        }

        double mean = _sum / _count;
        (_sum, _count) = (0, 0);
        long second = nowUs / 1_000_000;
        if (_bucketSecond == long.MinValue || second < _bucketSecond || second - _bucketSecond >= WindowSeconds)
        {
            Array.Fill(_minima, double.PositiveInfinity); // first use, or a clock jump: start over
        }
        else
        {
            for (long s = _bucketSecond + 1; s <= second; s++)
            {
                _minima[s % WindowSeconds] = double.PositiveInfinity; // buckets that fell out of the window
            }
        }

        _bucketSecond = second;
        int slot = (int)(second % WindowSeconds);
        _minima[slot] = Math.Min(_minima[slot], mean);
        double baseDelay = double.PositiveInfinity;
        foreach (double m in _minima)
        {
            baseDelay = Math.Min(baseDelay, m);
        }

        QueueUs = (long)Math.Clamp(mean - baseDelay, 0, MaxUs);
    }
}
