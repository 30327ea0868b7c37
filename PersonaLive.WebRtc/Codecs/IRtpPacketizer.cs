namespace PersonaLive.WebRtc.Codecs;

/// <summary>Receives one RTP payload from a packetiser; <paramref name="marker"/> is set on the frame's last packet.</summary>
public delegate void RtpPayloadSink(ReadOnlySpan<byte> payload, bool marker);

/// <summary>
/// The send half of a codec's RTP payload format: splits one encoded frame into payloads with the
/// codec's descriptor (VP8: RFC 7741 section 4.2; H.264: RFC 6184 sections 5.6-5.8). Called by the sender part under its send lock.
/// </summary>
public interface IRtpPacketizer
{
    /// <summary>Emits the payloads of <paramref name="frame"/> in order; <paramref name="scratch"/> holds one payload.</summary>
    void Packetize(ReadOnlySpan<byte> frame, Span<byte> scratch, RtpPayloadSink emit);
}
