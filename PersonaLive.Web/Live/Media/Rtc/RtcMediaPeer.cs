using PersonaLive.Media;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Sdp;

namespace PersonaLive.Web.Live.Media.Rtc;

/// <summary>
/// One <see cref="RtcPeerConnection"/> seen through the pipeline's <see cref="ILiveMediaPeer"/> seam:
/// translates states, converts capture times between the RTCP NTP clock and Unix microseconds, and
/// passes frames through uncopied: decoded pictures as they are (pooled), output pictures straight to the
/// encoder (the connection's, or for a publisher that only sends, WHIP, a <see cref="ReceiveOnlyOutputEncoder"/>),
/// and the encoder's bytes to the viewer fan-out.
/// </summary>
internal sealed class RtcMediaPeer : ILiveMediaPeer
{
    private readonly RtcPeerConnection _pc;
    private readonly ILogger _log;
    private readonly RtcOptions _options;
    private ReceiveOnlyOutputEncoder? _receiveOnlyEncoder;
    private bool? _publisherOnlySends;

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
    }

    public string Id => _pc.LocalUfrag;
    public MediaPeerRole Role { get; }
    public MediaPeerState State => Map(_pc.ConnectionState);

    public event Action<MediaPeerState>? ConnectionStateChanged;
    public event DecodedFrameHandler? FrameDecoded;
    public event EncodedFrameHandler? FrameEncoded;
    public event Action? KeyframeRequested;

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

    public uint SendFrame(I420Frame frame, long captureTimeUs)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var ntp = NtpTime.FromUnixMicros(captureTimeUs);
        return PublisherOnlySends() ? EncodeWithoutSending(frame, ntp) : _pc.SendFrame(frame, ntp);
    }

    /// <summary>A host whose publisher only sends (WHIP); fixed once negotiated, so asked once.</summary>
    private bool PublisherOnlySends()
    {
        if (_publisherOnlySends is { } known) return known;
        if (Role != MediaPeerRole.Host) return (_publisherOnlySends = false).Value;
        if (_pc.Transceiver is not { } transceiver) return false; // not negotiated yet: ask again next frame
        return (_publisherOnlySends = !transceiver.Negotiated.WeSend).Value;
    }

    /// <summary>A publisher that only sends (WHIP): encode here for the viewers (the encoder's buffer, uncopied), send nothing back.</summary>
    private uint EncodeWithoutSending(I420Frame frame, ulong ntp)
    {
        var encoder = _receiveOnlyEncoder ??= new ReceiveOnlyOutputEncoder(_options);
        if (!encoder.TryEncode(frame, ntp, out var data, out bool isKeyframe, out uint rtp)) return 0;
        FrameEncoded?.Invoke(new EncodedVideoFrame(data.Span, isKeyframe, rtp, NtpTime.ToUnixMicros(ntp), frame.Width, frame.Height));
        return rtp;
    }

    public void SendEncodedFrame(in EncodedVideoFrame frame) => _pc.SendEncodedPayload(frame.Data, NtpTime.FromUnixMicros(frame.CaptureTimeUs));

    public void RequestKeyframe() => _pc.RequestKeyframe();

    public void ForceKeyframe()
    {
        _receiveOnlyEncoder?.ForceKeyframe();
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
        };
    }

    public async ValueTask DisposeAsync()
    {
        _pc.ConnectionStateChanged -= OnStateChanged;
        _pc.FrameDecoded -= OnFrameDecoded;
        _pc.FrameEncoded -= OnFrameEncoded;
        _pc.KeyframeRequested -= OnKeyframeRequested;
        await _pc.DisposeAsync().ConfigureAwait(false);
        _receiveOnlyEncoder?.Dispose();
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
            NtpTime.ToUnixMicros(e.CaptureNtpTime), e.Width, e.Height));
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
