using PersonaLive.Media;
using PersonaLive.WebRtc.Codecs.Vpx;
using PersonaLive.WebRtc.Rtcp;
using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.WebRtc.PeerConnection;

public sealed partial class RtcPeerConnection
{
    private readonly object _rtcpLock = new();
    private readonly byte[] _rtcpBuffer = new byte[1500];

    private VideoSender.EncodedFrameSink? _encodedSink;

    /// <summary>
    /// Raised after <see cref="SendFrame"/> encoded and sent a frame (on the caller's thread), with the
    /// encoded bytes, so the caller can forward the same frame to send-only viewers
    /// (<see cref="SendEncodedPayload"/>). The bytes are the encoder's reused buffer: valid during the event only.
    /// </summary>
    public event EventHandler<EncodedFrameSentEventArgs>? FrameEncoded;

    /// <summary>Target bitrate of our encoder (kb/s), driven by the peer's RR loss and REMB.</summary>
    public int TargetBitrateKbps => _sender.TargetBitrateKbps;

    /// <summary>
    /// Scale to apply to the pictures given to <see cref="SendFrame"/> (1, 0.75 or 0.5 of width and height):
    /// below <see cref="RtcOptions.ResolutionFloorKbps"/> a smaller picture looks better than a starved one.
    /// </summary>
    public double RecommendedScale => _sender.RecommendedScale;

    /// <summary>
    /// Encodes a picture with this connection's VP8 encoder (created on the first frame, re-created when
    /// the size changes) and sends it. The RTP timestamp is derived from <paramref name="captureNtpTime"/>
    /// at 90 kHz, and our SRs use the same NTP/RTP mapping, so the receiver can compute glass-to-glass
    /// latency. Frames given before the connection is up, or after it closed, are dropped (0 returned).
    /// </summary>
    public uint SendFrame(I420Frame frame, ulong captureNtpTime)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (_video is not { WeSend: true } || !_srtp.CanSend || IsClosed)
        {
            return 0;
        }

        // Encoded, sent and raised while the encoder's reused output buffer holds this frame (no copy).
        return _sender.EncodeAndSend(frame, captureNtpTime, _ice.Selected, _encodedSink ??= RaiseFrameEncoded);
    }

    private void RaiseFrameEncoded(ReadOnlyMemory<byte> data, bool isKeyframe, uint rtpTimestamp, ulong captureNtpTime, int width, int height)
    {
        if (FrameEncoded is { } handler)
        {
            _handlers.Raise(handler, this, new EncodedFrameSentEventArgs(data, isKeyframe, rtpTimestamp, captureNtpTime, width, height), nameof(FrameEncoded));
        }
    }

    /// <summary>
    /// Sends an already encoded VP8 frame (one encoder shared by several viewers). Listen to
    /// <see cref="KeyframeRequested"/> and force a keyframe on that encoder when it fires.
    /// </summary>
    public uint SendEncodedFrame(EncodedFrame frame, ulong captureNtpTime)
    {
        ArgumentNullException.ThrowIfNull(frame);
        return SendEncodedPayload(frame.Data, captureNtpTime);
    }

    /// <summary>Sends already encoded bytes as they are (the viewer fan-out passes the host's encoded frame, uncopied).</summary>
    public uint SendEncodedPayload(ReadOnlySpan<byte> frame, ulong captureNtpTime)
    {
        if (_video is not { WeSend: true } || IsClosed)
        {
            return 0;
        }

        return _sender.Send(frame, captureNtpTime, _ice.Selected);
    }

    /// <summary>Forces the next frame from <see cref="SendFrame"/> to be a keyframe.</summary>
    public void ForceKeyframe() => _sender.ForceKeyframe();

    /// <summary>Asks the remote sender for a keyframe (PLI at the next tick, subject to the 300 ms limit).</summary>
    public void RequestKeyframe() => _receiver.RequestKeyframe();

    /// <summary>Builds and sends one compound RTCP packet: SR or RR, SDES CNAME, REMB, then optional NACK and PLI.</summary>
    private void SendRtcp(bool report, ReadOnlySpan<ushort> nacks, bool pli)
    {
        var target = _ice.Selected;
        var video = _video;
        if (target is null || video is null)
        {
            return;
        }

        uint ssrc = _sender.Ssrc, remote = _receiver.RemoteSsrc;
        lock (_rtcpLock)
        {
            var b = _rtcpBuffer.AsSpan();
            int n = 0;
            if (report)
            {
                Span<ReportBlock> blocks = stackalloc ReportBlock[1];
                if (_receiver.CreateReportBlock(NowMs) is { } block)
                {
                    blocks[0] = block;
                }
                else
                {
                    blocks = blocks[..0];
                }

                n += video.WeSend && _sender.CurrentSenderInfo() is { } info
                    ? RtcpWriter.WriteSenderReport(b, info, blocks)
                    : RtcpWriter.WriteReceiverReport(b, ssrc, blocks);
                n += RtcpWriter.WriteSdesCname(b[n..], ssrc, _cname);
                if (video.Remb && remote != 0)
                {
                    n += RtcpWriter.WriteRemb(b[n..], ssrc, (ulong)_receiver.RembKbps * 1000, [remote]);
                }
            }

            bool nack = nacks.Length > 0 && remote != 0;
            if (nack)
            {
                n += RtcpWriter.WriteNack(b.Slice(n, Math.Min(b.Length - n - 64, 12 + 4 * nacks.Length)), ssrc, remote, nacks);
            }

            pli &= remote != 0;
            if (pli)
            {
                n += RtcpWriter.WritePli(b[n..], ssrc, remote);
            }

            if (n == 0)
            {
                return;
            }

            int protectedLength = _srtp.Protect(_rtcpBuffer, n, rtcp: true);
            if (protectedLength > 0)
            {
                _receiver.CountFeedbackSent(nack, pli);
                _server.Send(_rtcpBuffer.AsSpan(0, protectedLength), target);
            }
        }
    }

    private void SendBye()
    {
        var target = _ice.Selected;
        if (target is null)
        {
            return;
        }

        lock (_rtcpLock)
        {
            int n = RtcpWriter.WriteReceiverReport(_rtcpBuffer, _sender.Ssrc, []);
            n += RtcpWriter.WriteBye(_rtcpBuffer.AsSpan(n), _sender.Ssrc);
            n = _srtp.Protect(_rtcpBuffer, n, rtcp: true);
            if (n > 0)
            {
                _server.Send(_rtcpBuffer.AsSpan(0, n), target);
            }
        }
    }
}
