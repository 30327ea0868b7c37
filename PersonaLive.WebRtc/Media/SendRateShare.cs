namespace PersonaLive.WebRtc.Media;

/// <summary>
/// The encoder's share of the send target. The send-rate estimates (delay-based from transport-cc
/// feedback, loss-based from receiver reports, the peer's REMB) are rates on the path: every byte of
/// every packet, that is the RTP header and its extensions (RFC 8285), the SRTP authentication tag
/// (RFC 3711 section 3.1), UDP and IP, and the retransmissions (RFC 4588) beside the media. The encoder's
/// target covers its payload only. Handing it the whole estimate makes the sender exceed the estimate by
/// the headers (about 7 % at full packets) and the resends, so a sender held below a link's capacity
/// still keeps a queue standing in it, and every repair waits in that queue. This class measures, over
/// the last <see cref="WindowMs"/> of sending, the rate of header bytes (packets sent times what each
/// cost beyond its payload) and the rate of resends, and gives the encoder the target less both, never
/// less than half the target (a burst of resends must not starve the picture). The header cost is a
/// rate, not a share of the payload: an encoder far under its target (a still picture) sends few, small
/// packets, and a share would shrink its target further with each round. Before anything was sent it
/// assumes <see cref="DefaultOverheadShare"/> of the target. Ten 100 ms slots in a ring; no allocation.
/// Not thread-safe.
/// </summary>
public sealed class SendRateShare
{
    /// <summary>How far back sending is measured.</summary>
    public const int WindowMs = 1000;

    /// <summary>Share of the target assumed for headers before the first packet (76 bytes on a 1,100-byte payload).</summary>
    public const double DefaultOverheadShare = 0.065;

    /// <summary>Bytes a packet costs below RTP: UDP and IPv4 (8 + 20) or IPv6 (8 + 40) headers.</summary>
    public static int LowerLayerBytes(bool ipv6) => ipv6 ? 48 : 28;

    private const int SlotMs = 100;
    private const int Slots = WindowMs / SlotMs;
    private readonly long[] _overhead = new long[Slots];
    private readonly long[] _resent = new long[Slots];
    private long _slot = long.MinValue, _firstSlot;
    private bool _anyMedia;

    /// <summary>A media packet of <paramref name="payloadBytes"/> encoded bytes left, costing <paramref name="pathBytes"/> on the path.</summary>
    public void OnMedia(long nowMs, int payloadBytes, int pathBytes)
    {
        _overhead[Advance(nowMs)] += Math.Max(0, pathBytes - payloadBytes);
        _anyMedia = true;
    }

    /// <summary>A retransmission left, costing <paramref name="pathBytes"/> on the path.</summary>
    public void OnResend(long nowMs, int pathBytes) => _resent[Advance(nowMs)] += Math.Max(0, pathBytes);

    /// <summary>Header bytes of media packets over the window, in kb/s.</summary>
    public double OverheadKbps(long nowMs) => RateKbps(_overhead, nowMs);

    /// <summary>Resends over the window, in kb/s.</summary>
    public double ResendKbps(long nowMs) => RateKbps(_resent, nowMs);

    /// <summary>The encoder's target (kb/s) within a send target of <paramref name="targetKbps"/>.</summary>
    public int EncoderKbps(int targetKbps, long nowMs)
    {
        double overhead = _anyMedia ? OverheadKbps(nowMs) : DefaultOverheadShare * targetKbps;
        return (int)Math.Clamp(targetKbps - overhead - ResendKbps(nowMs), 0.5 * targetKbps, targetKbps);
    }

    /// <summary>Bytes in the window over the time it covers (at most <see cref="WindowMs"/>, at least one slot), in kb/s.</summary>
    private double RateKbps(long[] bytes, long nowMs)
    {
        Advance(nowMs);
        long spanMs = Math.Clamp((_slot - _firstSlot + 1) * SlotMs, SlotMs, WindowMs);
        return bytes.Sum() * 8.0 / spanMs;
    }

    /// <summary>Moves the ring to <paramref name="nowMs"/>, clearing slots that fell out of the window; returns the current slot.</summary>
    private int Advance(long nowMs)
    {
        long slot = nowMs / SlotMs;
        if (_slot == long.MinValue || slot < _slot || slot - _slot >= Slots)
        {
            Array.Clear(_overhead);
            Array.Clear(_resent); // first use, a clock step back, or a second of silence
            _firstSlot = slot;
            _anyMedia = false;
        }
        else
        {
            for (long s = _slot + 1; s <= slot; s++)
            {
                int k = (int)(s % Slots);
                (_overhead[k], _resent[k]) = (0, 0);
            }
        }

        _slot = slot;
        return (int)(slot % Slots);
    }
}
