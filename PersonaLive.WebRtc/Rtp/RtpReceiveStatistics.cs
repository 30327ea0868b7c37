using PersonaLive.WebRtc.Rtcp;

namespace PersonaLive.WebRtc.Rtp;

/// <summary>
/// Reception statistics of one remote SSRC (RFC 3550 Appendix A.1, A.3, A.8): extended highest sequence
/// number, expected vs received, fraction lost since the last report, interarrival jitter, and the
/// LSR/DLSR bookkeeping from the last SR; produces the report block for our RR/SR.
/// </summary>
public sealed class RtpReceiveStatistics
{
    private readonly SequenceUnwrapper _unwrapper = new();
    private long _baseSeq = -1;
    private long _maxSeq;
    private long _received;
    private long _expectedPrior;
    private long _receivedPrior;
    private double _jitter;
    private long _lastTransit = long.MinValue;
    private uint _lastSrMiddle;
    private long _lastSrArrivalMs = -1;

    public RtpReceiveStatistics(uint ssrc) => Ssrc = ssrc;

    public uint Ssrc { get; }

    public long PacketsReceived => _received;

    /// <summary>Packets expected minus received (never negative).</summary>
    public long CumulativeLost => Math.Max(0, Expected - _received);

    private long Expected => _baseSeq < 0 ? 0 : _maxSeq - _baseSeq + 1;

    /// <summary>Loss fraction of the last report interval, 0..1.</summary>
    public double LastFractionLost { get; private set; }

    public void OnPacket(ushort sequence, uint rtpTimestamp, long arrivalMs)
    {
        long seq = _unwrapper.Unwrap(sequence);
        if (_baseSeq < 0)
        {
            _baseSeq = seq;
            _maxSeq = seq;
        }
        else if (seq > _maxSeq)
        {
            _maxSeq = seq;
        }

        _received++;
        long arrival90k = arrivalMs * 90;
        long transit = arrival90k - rtpTimestamp;
        if (_lastTransit != long.MinValue)
        {
            long d = Math.Abs(transit - _lastTransit);
            if (d < 90000 * 10)
            {
                _jitter += (d - _jitter) / 16.0;
            }
        }

        _lastTransit = transit;
    }

    public void OnSenderReport(ulong ntp, long arrivalMs)
    {
        _lastSrMiddle = NtpTime.Middle32(ntp);
        _lastSrArrivalMs = arrivalMs;
    }

    /// <summary>Builds the report block and starts a new interval.</summary>
    public ReportBlock CreateReportBlock(long nowMs)
    {
        long expected = Expected;
        long expectedInterval = expected - _expectedPrior;
        long receivedInterval = _received - _receivedPrior;
        _expectedPrior = expected;
        _receivedPrior = _received;
        long lostInterval = expectedInterval - receivedInterval;
        byte fraction = expectedInterval <= 0 || lostInterval <= 0 ? (byte)0 : (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);
        LastFractionLost = fraction / 256.0;
        uint dlsr = _lastSrArrivalMs < 0 ? 0 : (uint)((nowMs - _lastSrArrivalMs) * 65536 / 1000);
        return new ReportBlock(Ssrc, fraction, (int)Math.Min(CumulativeLost, 0x7FFFFF),
            (uint)(_maxSeq < 0 ? 0 : _maxSeq - 65536), (uint)_jitter, _lastSrArrivalMs < 0 ? 0 : _lastSrMiddle, dlsr);
    }
}
