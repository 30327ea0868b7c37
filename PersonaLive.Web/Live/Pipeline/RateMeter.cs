namespace PersonaLive.Web.Live.Pipeline;

/// <summary>Events per second over a sliding window (fps in/out, bitrate), read by the stats overlay.</summary>
internal sealed class RateMeter(TimeProvider time, TimeSpan window)
{
    private readonly object _lock = new();
    private readonly Queue<(long At, double Amount)> _events = new();
    private double _sum;

    public RateMeter(TimeProvider time) : this(time, TimeSpan.FromSeconds(2)) { }

    public void Add(double amount = 1)
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            _events.Enqueue((now, amount));
            _sum += amount;
            Trim(now);
        }
    }

    /// <summary>Sum of amounts in the window divided by the window length in seconds.</summary>
    public double PerSecond
    {
        get
        {
            lock (_lock)
            {
                Trim(time.GetTimestamp());
                return _sum / window.TotalSeconds;
            }
        }
    }

    private void Trim(long now)
    {
        while (_events.TryPeek(out var e) && time.GetElapsedTime(e.At, now) > window)
        {
            _sum -= e.Amount;
            _events.Dequeue();
        }
        if (_events.Count == 0) _sum = 0;
    }
}
