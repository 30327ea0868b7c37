using PersonaLive.WebRtc.Rtcp;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Sdp;

namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// Voice: the bundled Opus m-line's two small parts (<see cref="AudioReceiver"/>, <see cref="AudioSender"/>).
/// Received packets are raised undecoded on the socket thread (handlers must be quick: queue and return);
/// relayed packets go out under our audio SSRC, with an SR of their own once a second.
/// </summary>
public sealed partial class RtcPeerConnection
{
    private readonly AudioReceiver _audioReceiver = new();
    private readonly byte[] _audioRtcpBuffer = new byte[256];

    /// <summary>A remote Opus packet, undecoded, with its capture time (socket thread; queue it and return).</summary>
    public event EventHandler<AudioPacket>? AudioReceived;

    /// <summary>The negotiated audio m-line, null when the remote side offered no Opus audio.</summary>
    public NegotiatedAudio? Audio => _video?.Audio;

    /// <summary>Audio packets received from the remote side (authenticated, of the Opus payload type).</summary>
    public long AudioPacketsReceived => _audioReceiver.PacketsReceived;

    /// <summary>Audio packets sent to the remote side.</summary>
    public long AudioPacketsSent => _audioSender.PacketsSent;

    /// <summary>
    /// Relays one Opus packet to the remote side under our SSRC, sequence and timestamps (the packet's
    /// own sample spacing kept). False when we do not send audio on this connection, or it is not up yet.
    /// </summary>
    public bool SendAudio(AudioPacket packet)
    {
        ArgumentNullException.ThrowIfNull(packet);
        return !IsClosed && _audioSender.Send(packet, _ice.Selected);
    }

    private void EnableAudio(NegotiatedVideo video)
    {
        if (video.Audio is not { } audio)
        {
            return;
        }

        if (audio.WeReceive)
        {
            _audioReceiver.Enable(audio.OpusPayloadType);
        }

        if (audio.WeSend)
        {
            _audioSender.Enable(audio.OpusPayloadType);
        }
    }

    /// <summary>Socket thread: true when the packet was audio (raised or counted), false when it is the video receiver's.</summary>
    private bool TryTakeAudio(ReadOnlySpan<byte> packet)
    {
        if (!_audioReceiver.TryTake(packet, NtpTime.Now(), out var audio))
        {
            return false;
        }

        if (audio is not null)
        {
            _handlers.Raise(AudioReceived, this, audio, nameof(AudioReceived));
        }

        return true;
    }

    /// <summary>Executor, once a second: an SR with SDES CNAME for our audio SSRC, so the peer can sync it to the video.</summary>
    private void SendAudioReport()
    {
        var target = _ice.Selected;
        if (target is null || _audioSender.CurrentSenderInfo() is not { } info)
        {
            return;
        }

        lock (_rtcpLock)
        {
            var b = _audioRtcpBuffer.AsSpan();
            int n = RtcpWriter.WriteSenderReport(b, info, []);
            n += RtcpWriter.WriteSdesCname(b[n..], info.Ssrc, _cname);
            n = _srtp.Protect(_audioRtcpBuffer, n, rtcp: true);
            if (n > 0)
            {
                _server.Send(_audioRtcpBuffer.AsSpan(0, n), target);
            }
        }
    }
}
