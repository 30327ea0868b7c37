using System.Net;
using System.Security.Cryptography;
using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// Retransmission of NACKed packets (RFC 4585 section 6.2.1). With RTX negotiated (RFC 4588: the peer
/// offered <c>rtx</c> with <c>apt</c> for our codec, and we announce <see cref="RtxSsrc"/> in an
/// <c>a=ssrc-group:FID</c>) a resend is a new packet on the RTX SSRC and payload type, with its own
/// sequence number and a fresh transport-wide number (so congestion feedback describes the copy, not the
/// lost original), carrying the original sequence number in front of the original payload (section 4).
/// Without RTX the stored packet is resent exactly as it was: changing any byte under the same SRTP
/// index would reuse the keystream. Caller holds the send lock; no allocation.
/// </summary>
internal sealed partial class VideoSender
{
    private readonly byte[] _rtxScratch = new byte[1600];
    private volatile int _rtxPayloadType = -1;
    private ushort _rtxSequence = (ushort)RandomNumberGenerator.GetInt32(0, 65536);
    private long _rtxSent;

    /// <summary>Our RTX SSRC, announced in the SDP whether or not the peer takes RTX.</summary>
    public uint RtxSsrc { get; } = BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4));

    /// <summary>Whether resends go on the RTX stream.</summary>
    public bool RtxEnabled => _rtxPayloadType >= 0;

    /// <summary>Resends one stored packet; false when it is gone or could not be protected. Caller holds the send lock.</summary>
    private bool Resend(ushort sequence, IPEndPoint target)
    {
        int rtxPt = _rtxPayloadType;
        if (rtxPt < 0)
        {
            int n = _history.TryGet(sequence, _packetBuffer);
            return n > 0 && NoteResend(n) && ProtectAndSend(n, target);
        }

        int stored = _history.TryGet(sequence, _rtxScratch);
        var original = _rtxScratch.AsSpan(0, stored);
        if (stored == 0 || !RtpHeader.TryParse(original, out var header) || !header.TryGetPayload(original, out var payload))
        {
            return false;
        }

        int length = WriteHeader(header.Marker, (byte)rtxPt, _rtxSequence, header.Timestamp, payload.Length + RtxPacket.OsnLength, RtxSsrc);
        int body = RtxPacket.WritePayload(_packetBuffer.AsSpan(length), sequence, payload);
        if (body == 0)
        {
            return false;
        }

        _rtxSequence++;
        if (!ProtectAndSend(length + body, target))
        {
            return false;
        }

        _rtxSent++;
        return true;
    }
}
