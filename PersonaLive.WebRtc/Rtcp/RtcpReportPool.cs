namespace PersonaLive.WebRtc.Rtcp;

/// <summary>
/// A few <see cref="RtcpReport"/>s for one connection to refill: the socket thread rents one, parses a
/// datagram into it and hands it to the executor, which returns it when it has acted on it. In steady
/// state no report (nor its lists) is allocated per RTCP datagram. Holds at most <see cref="MaxPooled"/>
/// idle reports; thread-safe.
/// </summary>
internal sealed class RtcpReportPool
{
    private const int MaxPooled = 8;
    private readonly Stack<RtcpReport> _free = new(MaxPooled);

    public RtcpReport Rent()
    {
        lock (_free)
        {
            if (_free.TryPop(out var report))
            {
                return report;
            }
        }

        return new RtcpReport();
    }

    public void Return(RtcpReport report)
    {
        lock (_free)
        {
            if (_free.Count < MaxPooled)
            {
                _free.Push(report);
            }
        }
    }
}
