namespace PersonaLive.WebRtc.Media;

/// <summary>
/// The encoder's share of the send target. The send-rate estimates (delay-based from transport-cc
/// feedback, loss-based from receiver reports, the peer's REMB) are rates on the path: every byte of
/// every packet, that is the RTP header and its extensions (RFC 8285), the SRTP authentication tag
/// (RFC 3711 section 3.1), UDP and IP, and the retransmissions (RFC 4588) beside the media. The encoder's
/// target covers its payload only. Handing it the whole estimate makes the sender exceed the estimate by
/// the headers (about 7 % of a full packet) and the resends, so a sender held below a link's capacity
/// still keeps a queue standing in it, and every repair waits in that queue. This class measures, over the
/// last <see cref="WindowMs"/> of sending, what each payload byte costs on the path and the rate of
/// resends, and gives the encoder (target - resend rate) / (1 + overhead per payload byte), never less
/// than half the target (a burst of resends must not starve the picture). Before anything was sent it
/// assumes <see cref="DefaultOverheadShare"/>. Ten 100 ms slots in a ring; no allocation. Not thread-safe.
/// </summary>
public sealed class SendRateShare
{
    /// <summary>How far back sending is measured.</summary>
    public const int WindowMs = 1000;

    /// <summary>Overhead per payload byte assumed before the first packet (76 bytes on a 1,100-byte payload).</summary>
    public const double DefaultOverheadShare = 0.07;

    /// <summary>Bytes a packet costs below RTP: UDP and IPv4 (8 + 20) or IPv6 (8 + 40) headers.</summary>
    public static int LowerLayerBytes(bool ipv6) => ipv6 ? 48 : 28;

    private const int SlotMs = 100;
    private const int Slots = WindowMs / SlotMs;
    private readonly long[] _payload = new long[Slots];
    private readonly long[] _overhead = new long[Slots];
    private readonly long[] _resent = new long[Slots];
    private long _slot = long.MinValue;

    /// <summary>A media packet of <paramref name="payloadBytes"/> encoded bytes left, costing <paramref name="pathBytes"/> on the path.</summary>
    public void OnMedia(long nowMs, int payloadBytes, int pathBytes)
    {
        int i = Advance(nowMs);
        _payload[i] += Math.Max(0, payloadBytes);
        _overhead[i] += Math.Max(0, pathBytes - payloadBytes);
    }

    /// <summary>A retransmission left, costing <paramref name="pathBytes"/> on the path.</summary>
    public void OnResend(long nowMs, int pathBytes) => _resent[Advance(nowMs)] += Math.Max(0, pathBytes);

    /// <summary>Overhead per payload byte over the window (<see cref="DefaultOverheadShare"/> before any media).</summary>
    public double OverheadShare(long nowMs)
    {
        Advance(nowMs);
        long payload = _payload.Sum();
        return payload > 0 ? (double)_overhead.Sum() / payload : DefaultOverheadShare;
    }

    /// <summary>Resends over the window, in kb/s.</summary>
    public double ResendKbps(long nowMs)
    {
        Advance(nowMs);
        return _resent.Sum() * 8.0 / WindowMs;
    }

    /// <summary>The encoder's target (kb/s) within a send target of <paramref name="targetKbps"/>.</summary>
    public int EncoderKbps(int targetKbps, long nowMs)
    {
        double share = (targetKbps - ResendKbps(nowMs)) / (1 + OverheadShare(nowMs));
        return (int)Math.Clamp(share, 0.5 * targetKbps, targetKbps);
    }

    /// <summary>Moves the ring to <paramref name="nowMs"/>, clearing slots that fell out of the window; returns the current slot.</summary>
    private int Advance(long nowMs)
    {
        long slot = nowMs / SlotMs;
        if (_slot == long.MinValue || slot < _slot || slot - _slot >= Slots)
        {
            Array.Clear(_payload);
            Array.Clear(_overhead);
            Array.Clear(_resent); // first use, a clock step back, or a second of silence
        }
        else
        {
            for (long s = _slot + 1; s <= slot; s++)
            {
                int k = (int)(s % Slots);
                (_payload[k], _overhead[k], _resent[k]) = (0, 0, 0);
            }
        }

        _slot = slot;
        return (int)(slot % Slots);
    }
}
