namespace PersonaLive.WebRtc.Rtp;

/// <summary>Extends 16-bit RTP sequence numbers to 64 bits across wraps, tolerating reordering (RFC 3550 Appendix A.1).</summary>
public sealed class SequenceUnwrapper
{
    private long _last = -1;

    public long Unwrap(ushort seq)
    {
        if (_last < 0)
        {
            _last = seq + 65536L; // leave room for packets just before the first one
            return _last;
        }

        long candidate = (_last & ~0xFFFFL) | seq;
        long delta = candidate - _last;
        if (delta > 32768)
        {
            candidate -= 65536;
        }
        else if (delta < -32768)
        {
            candidate += 65536;
        }

        if (candidate > _last)
        {
            _last = candidate;
        }

        return candidate;
    }
}
