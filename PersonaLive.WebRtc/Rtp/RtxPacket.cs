using System.Buffers.Binary;

namespace PersonaLive.WebRtc.Rtp;

/// <summary>
/// The RTX payload format of RFC 4588 section 4: a retransmission travels on its own SSRC and payload
/// type (session multiplexing, section 4.4, associated by <c>a=ssrc-group:FID</c> and
/// <c>a=fmtp:&lt;rtx&gt; apt=&lt;media&gt;</c>, section 8.1) with its own sequence numbers, and its payload is the
/// original sequence number (OSN, 16 bits, network order, section 4) followed by the original payload.
/// Timestamp and marker are the original's (section 4). Pure byte work; unwrapping is in place, so
/// the receive path needs no buffer of its own.
/// </summary>
public static class RtxPacket
{
    /// <summary>The OSN field in front of the original payload.</summary>
    public const int OsnLength = 2;

    /// <summary>Writes OSN + <paramref name="originalPayload"/> into <paramref name="destination"/>; returns its length, 0 when it does not fit.</summary>
    public static int WritePayload(Span<byte> destination, ushort originalSequence, ReadOnlySpan<byte> originalPayload)
    {
        if (destination.Length < OsnLength + originalPayload.Length)
        {
            return 0;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, originalSequence);
        originalPayload.CopyTo(destination[OsnLength..]);
        return OsnLength + originalPayload.Length;
    }

    /// <summary>
    /// Turns the RTX packet in <paramref name="packet"/> back into the original in place: the header
    /// (with CSRCs and extensions) moves two bytes right over the OSN, and gets the OSN as sequence
    /// number, <paramref name="mediaPayloadType"/> and <paramref name="mediaSsrc"/>. The original is then
    /// <c>packet[start..]</c>. False (packet unchanged) when the header does not parse or the payload has
    /// no OSN: RFC 4588 section 4 allows RTX packets that are only padding, which browsers send to probe
    /// bandwidth, and those carry nothing to restore.
    /// </summary>
    public static bool TryUnwrap(Span<byte> packet, byte mediaPayloadType, uint mediaSsrc, out int start, out ushort originalSequence)
    {
        start = 0;
        originalSequence = 0;
        if (!RtpHeader.TryParse(packet, out var header) || !header.TryGetPayload(packet, out var payload) || payload.Length < OsnLength)
        {
            return false;
        }

        int headerLength = header.HeaderLength;
        originalSequence = BinaryPrimitives.ReadUInt16BigEndian(packet[headerLength..]);
        packet[..headerLength].CopyTo(packet[OsnLength..]); // overlapping move: Span.CopyTo handles it
        start = OsnLength;
        var restored = packet[start..];
        restored[1] = (byte)((restored[1] & 0x80) | (mediaPayloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(restored[2..], originalSequence);
        BinaryPrimitives.WriteUInt32BigEndian(restored[8..], mediaSsrc);
        return true;
    }
}
