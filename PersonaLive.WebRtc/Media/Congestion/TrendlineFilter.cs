namespace PersonaLive.WebRtc.Media.Congestion;

/// <summary>
/// The delay gradient of draft-ietf-rmcat-gcc-02 section 5.3, estimated the way current browsers do:
/// packets are grouped by send time into bursts of 5 ms (section 5.2), the one-way delay variation
/// between consecutive groups is accumulated, smoothed (exponential, 0.9), and a least-squares line
/// through the last 20 (arrival time, smoothed delay) points gives the trend. A positive slope means a
/// queue is building. Pure arithmetic on times in microseconds; no clock, no threads.
/// </summary>
public sealed class TrendlineFilter
{
    public const long BurstUs = 5_000;
    private const int Window = 20;
    private const double Smoothing = 0.9;

    private readonly Queue<(double ArrivalMs, double DelayMs)> _points = new();
    private long _groupSendUs = long.MinValue, _groupArrivalUs, _firstArrivalUs = long.MinValue;
    private long _previousSendUs = long.MinValue, _previousArrivalUs;
    private double _accumulated, _smoothed;

    /// <summary>The current slope (ms of extra delay per ms), 0 until the window holds a few groups.</summary>
    public double Slope { get; private set; }

    /// <summary>Delay-variation samples taken so far (groups compared).</summary>
    public int Samples { get; private set; }

    /// <summary>Adds one received packet (send and arrival time, µs); returns true when a group closed and the slope moved.</summary>
    public bool Add(long sendUs, long arrivalUs)
    {
        if (_firstArrivalUs == long.MinValue)
        {
            _firstArrivalUs = arrivalUs;
        }

        if (_groupSendUs == long.MinValue)
        {
            (_groupSendUs, _groupArrivalUs) = (sendUs, arrivalUs);
            return false;
        }

        if (sendUs < _groupSendUs)
        {
            return false; // reordered into an older group: ignored
        }

        if (sendUs - _groupSendUs <= BurstUs)
        {
            _groupArrivalUs = Math.Max(_groupArrivalUs, arrivalUs); // same burst: the group ends at its last arrival
            return false;
        }

        bool moved = false;
        if (_previousSendUs != long.MinValue)
        {
            double variationMs = ((_groupArrivalUs - _previousArrivalUs) - (_groupSendUs - _previousSendUs)) / 1000.0;
            variationMs = Math.Clamp(variationMs, -1000, 1000); // one absurd sample cannot swamp the line
            _accumulated += variationMs;
            _smoothed = Smoothing * _smoothed + (1 - Smoothing) * _accumulated;
            _points.Enqueue(((_groupArrivalUs - _firstArrivalUs) / 1000.0, _smoothed));
            if (_points.Count > Window)
            {
                _points.Dequeue();
            }

            Samples++;
            if (_points.Count >= 5)
            {
                Slope = FitSlope();
            }

            moved = true;
        }

        (_previousSendUs, _previousArrivalUs) = (_groupSendUs, _groupArrivalUs);
        (_groupSendUs, _groupArrivalUs) = (sendUs, arrivalUs);
        return moved;
    }

    private double FitSlope()
    {
        double meanX = 0, meanY = 0;
        foreach (var (x, y) in _points)
        {
            meanX += x;
            meanY += y;
        }

        meanX /= _points.Count;
        meanY /= _points.Count;
        double num = 0, den = 0;
        foreach (var (x, y) in _points)
        {
            num += (x - meanX) * (y - meanY);
            den += (x - meanX) * (x - meanX);
        }

        return den > 0 ? num / den : Slope;
    }
}
