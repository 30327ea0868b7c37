namespace PersonaLive.WebRtc.Transport;

/// <summary>What a datagram received on the shared media port carries.</summary>
public enum PacketKind
{
    /// <summary>Not one of ours (ZRTP, TURN channel, QUIC, too short): dropped and counted.</summary>
    Unknown,
    /// <summary>STUN (RFC 8489), first byte 0..3.</summary>
    Stun,
    /// <summary>DTLS record (content types 20..63).</summary>
    Dtls,
    /// <summary>RTP (first byte 128..191, second byte not an RTCP packet type).</summary>
    Rtp,
    /// <summary>RTCP (first byte 128..191, packet type 192..223, RFC 5761 section 4).</summary>
    Rtcp,
}

/// <summary>
/// First-byte demultiplexing of one UDP port (RFC 7983 section 7, updated by RFC 9443), plus the
/// RTP/RTCP split of RFC 5761 section 4. Enforces the minimum size of each class.
/// </summary>
public static class PacketClassifier
{
    /// <summary>Classifies a datagram without looking past its first two bytes.</summary>
    public static PacketKind Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length == 0)
        {
            return PacketKind.Unknown;
        }

        byte first = datagram[0];
        if (first <= 3)
        {
            return datagram.Length >= 20 ? PacketKind.Stun : PacketKind.Unknown;
        }

        if (first >= 20 && first <= 63)
        {
            return datagram.Length >= 13 ? PacketKind.Dtls : PacketKind.Unknown;
        }

        if (first >= 128 && first <= 191)
        {
            if (datagram.Length < 2)
            {
                return PacketKind.Unknown;
            }

            byte second = datagram[1];
            if (second >= 192 && second <= 223)
            {
                return datagram.Length >= 8 ? PacketKind.Rtcp : PacketKind.Unknown;
            }

            return datagram.Length >= 12 ? PacketKind.Rtp : PacketKind.Unknown;
        }

        return PacketKind.Unknown;
    }
}
