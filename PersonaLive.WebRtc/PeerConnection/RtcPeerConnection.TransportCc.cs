using PersonaLive.WebRtc.Rtcp;

namespace PersonaLive.WebRtc.PeerConnection;

public sealed partial class RtcPeerConnection
{
    private long _lastTransportFeedbackMs;

    /// <summary>
    /// Executor (tick): every <see cref="VideoReceiver.FeedbackIntervalMs"/> sends one transport-cc
    /// feedback about the packets received since the last, alone when the peer accepts reduced-size
    /// RTCP (RFC 5506 section 3), else after an empty RR (a compound packet, RFC 3550 section 6.1).
    /// </summary>
    private void SendTransportFeedback(long now)
    {
        var target = _ice.Selected;
        var video = _video;
        if (target is null || video is null || !_receiver.TransportCcEnabled || now - _lastTransportFeedbackMs < VideoReceiver.FeedbackIntervalMs)
        {
            return;
        }

        _lastTransportFeedbackMs = now;
        lock (_rtcpLock)
        {
            int n = video.ReducedSizeRtcp ? 0 : RtcpWriter.WriteReceiverReport(_rtcpBuffer, _sender.Ssrc, []);
            int feedback = _receiver.WriteTransportFeedback(_rtcpBuffer.AsSpan(n, _rtcpBuffer.Length - n - 32), _sender.Ssrc);
            if (feedback == 0)
            {
                return;
            }

            int protectedLength = _srtp.Protect(_rtcpBuffer, n + feedback, rtcp: true);
            if (protectedLength > 0)
            {
                _server.Send(_rtcpBuffer.AsSpan(0, protectedLength), target);
            }
        }
    }
}
