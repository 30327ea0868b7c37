using PersonaLive.WebRtc.Media;
using PersonaLive.WebRtc.Rtcp.TransportCc;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Rtp.Extensions;

namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// The receiver's side of transport-wide congestion control: reads the transport-wide sequence number
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 2) of each packet of the remote stream
/// and records its arrival; the connection's tick asks for one feedback (section 3.1) every
/// <see cref="FeedbackIntervalMs"/>.
/// </summary>
internal sealed partial class VideoReceiver
{
    /// <summary>How often we send transport-cc feedback while packets arrive.</summary>
    public const int FeedbackIntervalMs = 50;

    private readonly TransportCcRecorder _transportCc = new();
    private volatile int _transportCcId;

    /// <summary>True once the transport-cc extension is negotiated.</summary>
    public bool TransportCcEnabled => _transportCcId > 0;

    /// <summary>Reads transport-wide sequence numbers with this extension id from now on.</summary>
    public void EnableTransportCc(RtpExtensionMap extensions) => _transportCcId = extensions.TransportCc;

    /// <summary>Writes a feedback about everything since the last one into <paramref name="buffer"/>; 0 when none is due.</summary>
    public int WriteTransportFeedback(Span<byte> buffer, uint senderSsrc)
    {
        uint remote = _remoteSsrc;
        if (_transportCcId == 0 || remote == 0 || buffer.Length < TransportFeedbackWriter.MaxLength(TransportCcRecorder.MaxPacketsPerFeedback))
        {
            return 0;
        }

        return _transportCc.WriteFeedback(buffer, senderSsrc, remote);
    }

    /// <summary>Transport-cc feedback packets written.</summary>
    public long TransportFeedbackSent => _transportCc.FeedbackWritten;

    /// <summary>Socket thread, before payload-type filtering: every packet on the transport counts.</summary>
    private void RecordTransportSequence(ReadOnlySpan<byte> packet, in RtpHeader header)
    {
        int id = _transportCcId;
        if (id > 0 && header.TryGetExtension(packet, id, out var value)
            && RtpExtensionValues.TryReadTransportSequence(value, out ushort seq))
        {
            _transportCc.OnPacket(seq, VideoSender.MonotonicUs());
        }
    }
}
