using PersonaLive.Media;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.OpenH264;
using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Sdp;
using PersonaLive.Web.Live.Voice;

namespace PersonaLive.Web.Live.Media.Rtc;

/// <summary>
/// One <see cref="RtcPeerConnection"/> seen through the pipeline's <see cref="ILiveMediaPeer"/> seam:
/// translates states, converts capture times between the RTCP NTP clock and Unix microseconds, and
/// passes frames through uncopied: decoded pictures as they are (pooled), output pictures straight to the
/// encoder (or, when the connection's estimate is below its resolution floor, a pooled copy scaled to
/// <see cref="RtcPeerConnection.RecommendedScale"/>), and the encoder's bytes (labelled with their codec) to the viewer fan-out, encoding once more
/// per extra codec a viewer needs, or for a publisher that only sends (WHIP) (<see cref="CodecOutputEncoder"/>).
/// </summary>
internal sealed class RtcMediaPeer : ILiveMediaPeer
{
    private readonly RtcPeerConnection _pc;
    private readonly ILogger _log;
    private readonly RtcOptions _options;
    private readonly object _extrasLock = new();
    private CodecOutputEncoder[] _extras = [];

    public RtcMediaPeer(RtcPeerConnection pc, MediaPeerRole role, ILogger<RtcMediaPeer> log, RtcOptions? options = null)
    {
        _pc = pc;
        _log = log;
        _options = options ?? new RtcOptions();
        Role = role;
        _pc.ConnectionStateChanged += OnStateChanged;
        _pc.FrameDecoded += OnFrameDecoded;
        _pc.FrameEncoded += OnFrameEncoded;
        _pc.KeyframeRequested += OnKeyframeRequested;
        _pc.AudioReceived += OnAudioReceived;
    }

    public string Id => _pc.LocalUfrag;
    public MediaPeerRole Role { get; }
    public MediaPeerState State => Map(_pc.ConnectionState);

    /// <summary>The codec our sender writes on this connection; null before negotiation or when we only receive.</summary>
    public string? SendCodec => _pc.Transceiver is { Negotiated.WeSend: true } t ? CodecName(t.Negotiated.Codec) : null;

    public void EncodeAlsoFor(ILiveMediaPeer viewer)
    {
        if (viewer is not RtcMediaPeer { _pc.Transceiver.Negotiated: { } video } || !video.WeSend) return;
        var codec = VideoCodecs.For(video);
        if (codec.Name == SendCodec) return;
        lock (_extrasLock)
        {
            if (_extras.Any(e => e.Codec == codec.Name)) return;
            _extras = [.. _extras, new CodecOutputEncoder(_options, codec)];
        }
    }

    private static string CodecName(VideoCodec codec) => codec == VideoCodec.H264 ? "H264" : "VP8";

    public event Action<MediaPeerState>? ConnectionStateChanged;
    public event DecodedFrameHandler? FrameDecoded;
    public event EncodedFrameHandler? FrameEncoded;
    public event Action? KeyframeRequested;
    public event Action<VoicePacket>? VoiceReceived;

    public string CreateAnswer(string offerSdp)
    {
        try
        {
            return _pc.CreateAnswer(offerSdp);
        }
        catch (SdpException ex)
        {
            throw new MediaNegotiationException(ex.Message, ex);
        }
        catch (FormatException ex)
        {
            throw new MediaNegotiationException("The browser's offer could not be read: " + ex.Message, ex);
        }
    }

    public string CreateOffer(bool withVoice)
    {
        var codecs = VideoCodecChoice.Supported(_options.PreferredCodecs.ToList()).Select(c => c == "H264" ? VideoCodec.H264 : VideoCodec.Vp8).ToList();
        return _pc.CreateOffer("sendonly", codecs, withVoice ? "sendonly" : null, withCandidates: true);
    }

    public void ApplyAnswer(string answerSdp)
    {
        try
        {
            _pc.SetAnswer(answerSdp);
        }
        catch (Exception ex) when (ex is SdpException or FormatException)
        {
            throw new MediaNegotiationException("The server's answer could not be used: " + ex.Message, ex);
        }
    }

    public bool ReceivesVoice => _pc.Transceiver?.Negotiated.Audio is { WeReceive: true };

    public uint SendFrame(I420Frame frame, long captureTimeUs)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var ntp = NtpTime.FromUnixMicros(captureTimeUs);
        bool receiveOnly = Role == MediaPeerRole.Host && _pc.Transceiver is { Negotiated.WeSend: false };
        if (receiveOnly && _extras.Length == 0) AddDefaultOutput();
        uint rtp = receiveOnly ? (uint)NtpTime.To90kHz(ntp) : SendScaled(frame, ntp);
        foreach (var extra in _extras) EncodeExtra(extra, frame, ntp);
        return rtp;
    }

    /// <summary>
    /// Our own sender encodes the picture at the scale its bitrate estimate affords (<see cref="OutputScale"/>):
    /// below the resolution floor a pooled smaller copy; viewers of the same codec share those bytes.
    /// </summary>
    private uint SendScaled(I420Frame frame, ulong ntp)
    {
        using var scaled = OutputScale.Apply(frame, _pc.RecommendedScale);
        return _pc.SendFrame(scaled ?? frame, ntp);
    }

    /// <summary>A publisher that only sends (WHIP) and no viewer yet: encode in our first preferred codec, as a host that sends would.</summary>
    private void AddDefaultOutput()
    {
        IVideoCodec codec = VideoCodecChoice.Supported(_options.PreferredCodecs.ToList()).FirstOrDefault() == "H264"
            ? new H264VideoCodec(VideoCodecChoice.OfferedH264) : Vp8VideoCodec.Instance;
        lock (_extrasLock) if (_extras.Length == 0) _extras = [new CodecOutputEncoder(_options, codec)];
    }

    /// <summary>Encodes for viewers of a codec our own sender does not write; their peers packetise and send the shared bytes (the encoder's buffer, uncopied).</summary>
    private void EncodeExtra(CodecOutputEncoder encoder, I420Frame frame, ulong ntp)
    {
        if (!encoder.TryEncode(frame, ntp, out var data, out bool isKeyframe, out uint rtp)) return;
        FrameEncoded?.Invoke(new EncodedVideoFrame(data.Span, isKeyframe, rtp, NtpTime.ToUnixMicros(ntp), frame.Width, frame.Height, encoder.Codec));
    }

    public void SendEncodedFrame(in EncodedVideoFrame frame) => _pc.SendEncodedPayload(frame.Data, NtpTime.FromUnixMicros(frame.CaptureTimeUs));

    public void RequestKeyframe() => _pc.RequestKeyframe();

    public void SendVoice(VoicePacket packet) =>
        _pc.SendAudio(new AudioPacket(packet.Payload, packet.RtpTimestamp, 0, packet.Marker, NtpTime.FromUnixMicros(packet.CaptureTimeUs), packet.SourceId));

    private void OnAudioReceived(object? sender, AudioPacket audio) =>
        VoiceReceived?.Invoke(new VoicePacket(audio.Payload, audio.RtpTimestamp, audio.Marker, NtpTime.ToUnixMicros(audio.CaptureNtpTime), audio.Ssrc));

    public void ForceKeyframe()
    {
        foreach (var extra in _extras) extra.ForceKeyframe();
        _pc.ForceKeyframe();
    }

    public MediaPeerStats GetStats()
    {
        var s = _pc.GetStats();
        return new MediaPeerStats(s.BytesReceived, s.BytesSent, s.FramesDecoded, s.FramesSent, s.PacketsLost,
            RoundTripMs: s.RoundTripMs, TargetBitrateBps: s.TargetBitrateKbps * 1000L)
        {
            PacketsReceived = s.PacketsReceived,
            PacketsSent = s.PacketsSent,
            NacksReceived = s.NacksReceived,
            PlisReceived = s.PlisReceived + s.FirsReceived,
            RemoteFractionLost = s.RemoteFractionLost,
            EncoderBitrateKbps = s.EncoderBitrateKbps,
            Retransmissions = s.Retransmissions,
            PacerFlushes = s.PacerFlushes,
            KeyframeRequestsCovered = s.KeyframeRequestsCovered,
            FramesLost = s.FramesLost,
            KeyframesDecoded = s.KeyframesDecoded,
            NacksSent = s.NacksSent,
            PlisSent = s.PlisSent,
        };
    }

    public async ValueTask DisposeAsync()
    {
        _pc.ConnectionStateChanged -= OnStateChanged;
        _pc.FrameDecoded -= OnFrameDecoded;
        _pc.FrameEncoded -= OnFrameEncoded;
        _pc.KeyframeRequested -= OnKeyframeRequested;
        _pc.AudioReceived -= OnAudioReceived;
        await _pc.DisposeAsync().ConfigureAwait(false);
        foreach (var extra in _extras) extra.Dispose();
    }

    private void OnStateChanged(object? sender, PeerConnectionState state) => ConnectionStateChanged?.Invoke(Map(state));

    private void OnKeyframeRequested(object? sender, EventArgs e) => KeyframeRequested?.Invoke();

    private void OnFrameDecoded(object? sender, DecodedVideoFrame decoded)
    {
        try
        {
            FrameDecoded?.Invoke(decoded);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A failing consumer must not break the media stack's receive thread.
            _log.LogWarning(ex, "Decoded-frame handler of peer {Peer} failed", Id);
        }
    }

    private void OnFrameEncoded(object? sender, EncodedFrameSentEventArgs e)
    {
        var handler = FrameEncoded;
        if (handler is null) return;
        handler(new EncodedVideoFrame(e.Data.Span, e.IsKeyframe, e.RtpTimestamp,
            NtpTime.ToUnixMicros(e.CaptureNtpTime), e.Width, e.Height, SendCodec ?? "VP8"));
    }

    private static MediaPeerState Map(PeerConnectionState state) => state switch
    {
        PeerConnectionState.New => MediaPeerState.New,
        PeerConnectionState.Connecting => MediaPeerState.Connecting,
        PeerConnectionState.Connected => MediaPeerState.Connected,
        PeerConnectionState.Disconnected => MediaPeerState.Disconnected,
        PeerConnectionState.Failed => MediaPeerState.Failed,
        _ => MediaPeerState.Closed,
    };
}
