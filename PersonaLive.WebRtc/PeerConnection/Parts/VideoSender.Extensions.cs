using System.Diagnostics;
using System.Net;
using System.Text;
using PersonaLive.WebRtc.Media;
using PersonaLive.WebRtc.Media.Congestion;
using PersonaLive.WebRtc.Rtcp.TransportCc;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Rtp.Extensions;

namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// The sender's RTP header extensions (RFC 8285) and transport-wide congestion control: every packet
/// carries abs-send-time, a transport-wide sequence number, the mid and a playout delay of zero
/// (asking the browser for minimal jitter buffering) when negotiated; the peer's transport-cc feedback
/// is matched to what we sent by <see cref="TransportFeedbackAdapter"/>, whose observer is the seam
/// for a delay-based estimator. Also the packet write path every RTP packet goes through: header with
/// extensions, send history, SRTP protect and send.
/// </summary>
internal sealed partial class VideoSender
{
    /// <summary>Playout delay we ask for (min, max in ms): none, the browser renders as soon as it can.</summary>
    public const int PlayoutDelayMinMs = 0, PlayoutDelayMaxMs = 0;

    private readonly TransportFeedbackAdapter _transportCc = new();
    private volatile RtpExtensionMap _extensions = RtpExtensionMap.None;
    private byte[] _mid = [];
    private DelayBasedEstimator? _delay;
    private int _pathOverheadBytes = 76; // header, extensions, SRTP tag, UDP and IP of the last media packet: what transport-cc counts per packet

    /// <summary>The delay-based estimate (kb/s) when enabled and negotiated, else null.</summary>
    public int? DelayBasedKbps => _delay?.TargetKbps;

    /// <summary>Sent-packet history and feedback matching for transport-cc (its observer is a future estimator).</summary>
    public TransportFeedbackAdapter TransportCc => _transportCc;

    /// <summary>Writes these extensions on every packet from now on (negotiation done).</summary>
    public void EnableExtensions(RtpExtensionMap extensions, string mid)
    {
        _mid = Encoding.ASCII.GetBytes(mid);
        if (_options.DelayBasedBitrate && extensions.TransportCc > 0)
        {
            _delay = new DelayBasedEstimator(_options.StartOutgoingBitrateKbps, _options.MinOutgoingBitrateKbps, _options.MaxOutgoingBitrateKbps);
            _transportCc.Observer = _delay;
        }

        _extensions = extensions;
    }

    /// <summary>The peer's transport-cc feedback about our stream (executor).</summary>
    public void OnTransportFeedback(ReadOnlySpan<TransportPacketStatus> packets)
    {
        _transportCc.OnFeedback(packets, MonotonicUs());
        if (_delay is not null)
        {
            lock (_sendLock)
            {
                ApplySendTarget(Combine(_bandwidth.TargetKbps));
            }
        }
    }

    /// <summary>The send target: the loss-based one, lowered to the delay-based estimate when that is on.</summary>
    private int Combine(int lossBasedKbps) => _delay is { } d ? Math.Min(lossBasedKbps, d.TargetKbps) : lossBasedKbps;

    /// <summary>
    /// Sets the send target on the path and the encoder's share of it (<see cref="SendRateShare"/>: headers
    /// and resends come out of the target, so what we put on the path stays at the estimate), never under
    /// the configured minimum. Caller holds the send lock.
    /// </summary>
    private void ApplySendTarget(int sendKbps)
    {
        _sendTargetKbps = sendKbps;
        int encoder = _share.EncoderKbps(sendKbps, Environment.TickCount64);
        _pendingBitrateKbps = Math.Max(encoder, Math.Min(sendKbps, _options.MinOutgoingBitrateKbps));
    }

    /// <summary>Writes the RTP header plus negotiated extensions into <see cref="_packetBuffer"/>; caller holds the send lock.</summary>
    private int WriteHeader(bool marker, byte payloadType, ushort sequence, uint timestamp, int payloadLength, uint ssrc)
    {
        int n = RtpHeader.Write(_packetBuffer, marker, payloadType, sequence, timestamp, ssrc);
        var map = _extensions;
        if (!map.Any)
        {
            return n;
        }

        bool midFits = map.Mid > 0 && RtpExtensionWriter.FitsOneByte(map.Mid, _mid.Length);
        bool twoByte = map.AllowTwoByte && (!midFits && map.Mid > 0 || map.AbsSendTime > 14 || map.TransportCc > 14 || map.PlayoutDelay > 14);
        var writer = new RtpExtensionWriter(_packetBuffer, twoByte);
        if (map.AbsSendTime is > 0 and <= 14 || (twoByte && map.AbsSendTime > 0))
        {
            RtpExtensionValues.WriteAbsSendTime(writer.Add(map.AbsSendTime, RtpExtensionValues.AbsSendTimeLength), NtpTime.Now());
        }

        if (map.TransportCc is > 0 and <= 14 || (twoByte && map.TransportCc > 0))
        {
            ushort transportSeq = _transportCc.OnPacketSent(payloadLength + _pathOverheadBytes, MonotonicUs());
            RtpExtensionValues.WriteTransportSequence(writer.Add(map.TransportCc, RtpExtensionValues.TransportSequenceLength), transportSeq);
        }

        if (map.PlayoutDelay is > 0 and <= 14 || (twoByte && map.PlayoutDelay > 0))
        {
            RtpExtensionValues.WritePlayoutDelay(writer.Add(map.PlayoutDelay, RtpExtensionValues.PlayoutDelayLength), PlayoutDelayMinMs, PlayoutDelayMaxMs);
        }

        if (midFits || (twoByte && map.Mid > 0 && _mid.Length > 0))
        {
            _mid.CopyTo(writer.Add(map.Mid, _mid.Length));
        }

        return writer.Finish();
    }

    /// <summary>
    /// A packet (in <see cref="_packetBuffer"/>, caller holds the send lock) is about to be resent as it
    /// was: its transport-wide number now stands for this later send, since feedback about a packet
    /// whose original was lost describes the copy. Read-only on the packet; always true.
    /// </summary>
    private bool NoteResend(int length)
    {
        int id = _extensions.TransportCc;
        var packet = _packetBuffer.AsSpan(0, length);
        if (id > 0 && RtpHeader.TryParse(packet, out var header) && header.TryGetExtension(packet, id, out var value)
            && RtpExtensionValues.TryReadTransportSequence(value, out ushort sequence))
        {
            _transportCc.OnResent(sequence, MonotonicUs());
        }

        return true;
    }

    /// <summary>Microseconds on the monotonic clock (no overflow for years of uptime).</summary>
    internal static long MonotonicUs() => (long)(Stopwatch.GetTimestamp() * (1_000_000.0 / Stopwatch.Frequency));

    /// <summary>
    /// Protects the packet in <see cref="_packetBuffer"/> and sends it; counts what it costs on the path for
    /// <see cref="SendRateShare"/>: a media packet with <paramref name="mediaPayloadBytes"/> encoded bytes,
    /// or a resend when that is 0. Caller holds <see cref="_sendLock"/>.
    /// </summary>
    private bool ProtectAndSend(int length, IPEndPoint target, int mediaPayloadBytes = 0)
    {
        int n = _srtp.Protect(_packetBuffer, length, rtcp: false);
        if (n == 0)
        {
            return false;
        }

        _transmit(_packetBuffer.AsSpan(0, n), target);
        int pathBytes = n + SendRateShare.LowerLayerBytes(target.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6);
        long nowMs = Environment.TickCount64;
        if (mediaPayloadBytes > 0)
        {
            _share.OnMedia(nowMs, mediaPayloadBytes, pathBytes);
            _pathOverheadBytes = pathBytes - mediaPayloadBytes;
        }
        else
        {
            _share.OnResend(nowMs, pathBytes);
        }

        return true;
    }
}
