using Microsoft.Extensions.Logging;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.Codecs.OpenH264;
using PersonaLive.WebRtc.Codecs.Vpx;
using PersonaLive.WebRtc.Media;
using PersonaLive.WebRtc.Rtcp;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Srtp;

namespace PersonaLive.WebRtc.PeerConnection;

public sealed partial class RtcPeerConnection
{
    private readonly object _sendLock = new();
    private readonly object _encodeLock = new();
    private IVideoPacketiser _packetizer;
    private readonly BandwidthController _bandwidth;
    private readonly RtpSendHistory _history = new();
    private readonly RetransmissionBudget _retransmitBudget;
    private readonly byte[] _packetBuffer = new byte[1600];
    private readonly byte[] _payloadScratch = new byte[1600];
    private readonly byte[] _rtcpBuffer = new byte[1500];
    private SrtpContext? _outbound;
    private IVideoEncoder? _encoder;
    private ushort _sequence;
    private volatile bool _forceKeyframe = true;
    private volatile int _pendingBitrateKbps;
    private volatile int _encoderBitrateKbps;
    private uint _packetsSent, _octetsSent;
    private long _bytesSent, _framesEncoded, _framesSent, _nacksSent, _plisSent;
    private uint _lastRtpTimestamp;

    /// <summary>
    /// Raised after <see cref="SendFrame"/> encoded and sent a frame, with the encoded bytes, so the
    /// caller can forward the same frame to send-only viewers (<see cref="SendEncodedFrame"/>).
    /// </summary>
    public event EventHandler<EncodedFrameSentEventArgs>? FrameEncoded;

    /// <summary>Target bitrate of our encoder (kb/s), driven by the peer's RR loss and REMB.</summary>
    public int TargetBitrateKbps => _bandwidth.TargetKbps;

    /// <summary>
    /// Encodes a picture with this connection's VP8 encoder (created on the first frame, re-created when
    /// the size changes) and sends it. The RTP timestamp is derived from <paramref name="captureNtpTime"/>
    /// at 90 kHz, and our SRs use the same NTP/RTP mapping, so the receiver can compute glass-to-glass
    /// latency. Frames given before the connection is up are dropped.
    /// </summary>
    public uint SendFrame(I420Frame frame, ulong captureNtpTime)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (_video is null || !_video.WeSend || _outbound is null || _closing.IsCancellationRequested)
        {
            return 0;
        }

        IReadOnlyList<EncodedFrame> encoded;
        lock (_encodeLock)
        {
            if (_closing.IsCancellationRequested)
            {
                return 0;
            }

            if (_encoder is null || _encoder.Width != frame.Width || _encoder.Height != frame.Height)
            {
                _encoder?.Dispose();
                _encoder = VideoCodecFactory.CreateEncoder(_video, frame.Width, frame.Height, _bandwidth.TargetKbps,
                    _options.MinOutgoingBitrateKbps, _options.MaxOutgoingBitrateKbps, _options.EncoderCpuUsed);
                _forceKeyframe = true;
            }

            if (_pendingBitrateKbps != _encoder.BitrateKbps)
            {
                try
                {
                    _encoder.SetBitrate(_pendingBitrateKbps);
                }
                catch (Exception e) when (e is VpxException or OpenH264Exception)
                {
                    _logger.LogWarning("Bitrate change to {Kbps} kb/s failed: {Error}", _pendingBitrateKbps, e.Message);
                }
            }

            _encoderBitrateKbps = _encoder.BitrateKbps;
            bool key = _forceKeyframe;
            _forceKeyframe = false;
            encoded = _encoder.Encode(frame, (long)NtpTime.To90kHz(captureNtpTime), key);
            _framesEncoded += encoded.Count;
        }

        uint timestamp = 0;
        foreach (var e in encoded)
        {
            timestamp = SendEncodedFrame(e, captureNtpTime);
            FrameEncoded?.Invoke(this, new EncodedFrameSentEventArgs(e, timestamp, captureNtpTime, frame.Width, frame.Height));
        }

        return timestamp;
    }

    /// <summary>
    /// Sends an already encoded VP8 frame (one encoder shared by several viewers). Listen to
    /// <see cref="KeyframeRequested"/> and force a keyframe on that encoder when it fires.
    /// </summary>
    public uint SendEncodedFrame(EncodedFrame frame, ulong captureNtpTime)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (_video is null || !_video.WeSend || _closing.IsCancellationRequested)
        {
            return 0;
        }

        uint timestamp = _timestampOffset + (uint)NtpTime.To90kHz(captureNtpTime);
        var target = _selected;
        lock (_sendLock)
        {
            if (_outbound is null || target is null)
            {
                return 0;
            }

            byte pt = (byte)_video.Vp8PayloadType;
            _packetizer.Packetize(frame.Data, _payloadScratch, (payload, marker) =>
            {
                int n = RtpHeader.Write(_packetBuffer, marker, pt, _sequence, timestamp, _localSsrc);
                payload.CopyTo(_packetBuffer.AsSpan(n));
                n += payload.Length;
                _history.Store(_sequence, _packetBuffer.AsSpan(0, n));
                _packetsSent++;
                _octetsSent += (uint)payload.Length;
                _sequence++;
                ProtectAndSend(n, target);
            });
            _lastRtpTimestamp = timestamp;
            _framesSent++;
        }

        return timestamp;
    }

    /// <summary>Protects the RTP packet in <see cref="_packetBuffer"/> and sends it. Caller holds <see cref="_sendLock"/>.</summary>
    private void ProtectAndSend(int length, System.Net.IPEndPoint target)
    {
        int protectedLength = _outbound!.ProtectRtp(_packetBuffer, length);
        _bytesSent += protectedLength;
        _server.Send(_packetBuffer.AsSpan(0, protectedLength), target);
    }

    /// <summary>
    /// Resends NACKed packets from the history (same SSRC and sequence; no RTX), as far as the
    /// <see cref="RetransmissionBudget"/> for the current target bitrate allows. Returns how many.
    /// </summary>
    private int Retransmit(IReadOnlyList<ushort> sequences)
    {
        int sent = 0;
        var target = _selected;
        long now = NowMs;
        lock (_sendLock)
        {
            if (_outbound is null || target is null)
            {
                return 0;
            }

            int targetKbps = _bandwidth.TargetKbps;
            for (int i = 0; i < sequences.Count; i++)
            {
                ushort seq = sequences[i];
                int length = _history.LengthOf(seq);
                if (length == 0)
                {
                    continue; // too old: the receiver's frame-loss timeout and PLI take over
                }

                if (_retransmitBudget.TryResend(seq, length, targetKbps, now) != RetransmissionDecision.Send)
                {
                    continue; // counted by the budget
                }

                int n = _history.TryGet(seq, _packetBuffer);
                if (n > 0)
                {
                    ProtectAndSend(n, target);
                    sent++;
                }
            }
        }

        return sent;
    }

    /// <summary>Forces the next frame from <see cref="SendFrame"/> to be a keyframe.</summary>
    public void ForceKeyframe() => _forceKeyframe = true;

    /// <summary>Asks the remote sender for a keyframe (sends PLI now, subject to the 300 ms limit).</summary>
    public void RequestKeyframe() => _assembler.KeyframeNeeded = true;

    /// <summary>Records a new target; the encode thread applies it before its next frame (the socket thread never waits for an encode).</summary>
    private void ApplyBitrate(int kbps) => _pendingBitrateKbps = kbps;

    /// <summary>Builds and sends one compound RTCP packet: SR or RR, SDES CNAME, then optional feedback.</summary>
    private void SendRtcp(bool report, ReadOnlySpan<ushort> nacks, bool pli)
    {
        var target = _selected;
        lock (_sendLock)
        {
            if (_outbound is null || target is null)
            {
                return;
            }

            var b = _rtcpBuffer.AsSpan();
            int n = 0;
            if (report)
            {
                ReportBlock[] blocks = _receiveStats is null ? [] : [_receiveStats.CreateReportBlock(NowMs)];
                if (_video!.WeSend && _packetsSent > 0)
                {
                    ulong ntp = NtpTime.Now();
                    uint rtp = _timestampOffset + (uint)NtpTime.To90kHz(ntp);
                    n += RtcpWriter.WriteSenderReport(b, new SenderInfo(_localSsrc, ntp, rtp, _packetsSent, _octetsSent), blocks);
                }
                else
                {
                    n += RtcpWriter.WriteReceiverReport(b, _localSsrc, blocks);
                }

                n += RtcpWriter.WriteSdesCname(b[n..], _localSsrc, _cname);
                if (_video.Remb && _remoteSsrc != 0)
                {
                    n += RtcpWriter.WriteRemb(b[n..], _localSsrc, (ulong)_rembKbps * 1000, [_remoteSsrc]);
                }
            }

            if (nacks.Length > 0 && _remoteSsrc != 0)
            {
                n += RtcpWriter.WriteNack(b.Slice(n, Math.Min(b.Length - n - 64, 12 + 4 * nacks.Length)), _localSsrc, _remoteSsrc, nacks);
                _nacksSent++;
            }

            if (pli && _remoteSsrc != 0)
            {
                n += RtcpWriter.WritePli(b[n..], _localSsrc, _remoteSsrc);
                _plisSent++;
            }

            if (n == 0)
            {
                return;
            }

            int protectedLength = _outbound.ProtectRtcp(_rtcpBuffer, n);
            _bytesSent += protectedLength;
            _server.Send(_rtcpBuffer.AsSpan(0, protectedLength), target);
        }
    }

    private void SendBye()
    {
        var target = _selected;
        lock (_sendLock)
        {
            if (_outbound is null || target is null)
            {
                return;
            }

            int n = RtcpWriter.WriteReceiverReport(_rtcpBuffer, _localSsrc, []);
            n += RtcpWriter.WriteBye(_rtcpBuffer.AsSpan(n), _localSsrc);
            n = _outbound.ProtectRtcp(_rtcpBuffer, n);
            _server.Send(_rtcpBuffer.AsSpan(0, n), target);
        }
    }
}
