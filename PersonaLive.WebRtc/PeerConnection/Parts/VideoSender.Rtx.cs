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
/// index would reuse the keystream. While the queue our packets see is shorter than
/// <see cref="CopyQueueUs"/> (the delay-based estimator's measure), so that a loss is the path's and not a
/// full bottleneck buffer's, each resend goes out twice when the budget has room
/// (<see cref="Media.RetransmissionBudget.TryCopy"/>): a lost resend otherwise costs a retry interval of
/// about one repair time, by which time the picture has been frozen for two repair times or the receiver
/// has given the frame up and asked for a keyframe. A queue makes each repair slower, so that is when a
/// second chance matters most; only a queue near the length of a router's buffer (where copies would be
/// dropped with the rest) stops them. The receiver drops the copy it does not need (a duplicate sequence
/// number). Caller holds the send lock; no allocation.
/// </summary>
internal sealed partial class VideoSender
{
    private readonly byte[] _rtxScratch = new byte[1600];
    private volatile int _rtxPayloadType = -1;
    private ushort _rtxSequence = (ushort)RandomNumberGenerator.GetInt32(0, 65536);
    private long _rtxSent;

    /// <summary>Resends are copied while the queue our packets see is shorter than this (µs).</summary>
    public const long CopyQueueUs = 250_000;

    /// <summary>Our RTX SSRC, announced in the SDP whether or not the peer takes RTX.</summary>
    public uint RtxSsrc { get; } = BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4));

    /// <summary>Whether resends go on the RTX stream.</summary>
    public bool RtxEnabled => _rtxPayloadType >= 0;

    /// <summary>Second copies of resends sent.</summary>
    public long ResendCopies => _budget.Copies;

    /// <summary>Resends one packet of <paramref name="length"/> bytes, and a copy of it when the path has no queue and the budget room. Caller holds the send lock.</summary>
    private bool ResendWithCopy(ushort sequence, int length, IPEndPoint target, int targetKbps, long nowMs)
    {
        if (!Resend(sequence, target))
        {
            return false;
        }

        if ((_delay?.QueueDelayUs ?? 0) < CopyQueueUs && _budget.TryCopy(length, targetKbps, nowMs))
        {
            Resend(sequence, target);
        }

        return true;
    }

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
