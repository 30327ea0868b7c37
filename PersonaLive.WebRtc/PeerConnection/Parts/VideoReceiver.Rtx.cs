using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// The receive side of RTX (RFC 4588): a packet with the negotiated RTX payload type is turned back into
/// the original in place (<see cref="RtxPacket.TryUnwrap"/>: the OSN becomes the sequence number, the
/// media payload type and SSRC are restored) and then takes the normal path: NACK bookkeeping,
/// assembly, decoding. RTX packets without an OSN (padding the browser sends to probe the path) and RTX
/// that comes before the media stream is known carry nothing to restore; only their transport-wide
/// number is recorded, since the browser's estimator expects feedback on them too.
/// </summary>
internal sealed partial class VideoReceiver
{
    private volatile int _rtxPayloadType = -1;
    private long _rtxReceived, _rtxEmpty;

    /// <summary>Retransmissions received on the RTX stream and restored.</summary>
    public long RtxReceived => Interlocked.Read(ref _rtxReceived);

    /// <summary>RTX packets with nothing to restore (padding probes, or before the media stream).</summary>
    public long RtxEmpty => Interlocked.Read(ref _rtxEmpty);

    /// <summary>Accepts RTX with this payload type from now on (-1: none negotiated).</summary>
    public void EnableRtx(int rtxPayloadType) => _rtxPayloadType = rtxPayloadType;

    /// <summary>An authenticated, decrypted RTP packet (socket thread): RTX is unwrapped in place first.</summary>
    public void OnRtpPacket(Span<byte> packet, long nowMs)
    {
        int rtx = _rtxPayloadType, media = _payloadType;
        if (rtx < 0 || media < 0 || packet.Length < RtpHeader.FixedLength || (packet[1] & 0x7F) != rtx)
        {
            OnRtp(packet, nowMs);
            return;
        }

        uint mediaSsrc = _remoteSsrc;
        if (mediaSsrc != 0 && RtxPacket.TryUnwrap(packet, (byte)media, mediaSsrc, out int start, out _))
        {
            Interlocked.Increment(ref _rtxReceived);
            OnRtp(packet[start..], nowMs);
            return;
        }

        if (!RtpHeader.TryParse(packet, out var header))
        {
            CountMalformed();
            return;
        }

        Interlocked.Increment(ref _rtxEmpty);
        RecordTransportSequence(packet, header);
    }
}
