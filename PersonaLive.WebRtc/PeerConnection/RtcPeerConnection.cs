using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using PersonaLive.Media;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.Dtls;
using PersonaLive.WebRtc.Sdp;

namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// One WebRTC peer connection with a single bundled video transceiver (VP8 or H.264, whichever the
/// offer/answer chose; <see cref="RtcOptions.PreferredCodecs"/>), shaped like the W3C
/// RTCPeerConnection: answer a browser's offer (<see cref="CreateAnswer"/>: ICE-lite, DTLS server) or
/// offer yourself (<see cref="CreateOffer(string, VideoCodec, string?)"/> + <see cref="SetAnswer"/>: controlling ICE, DTLS client);
/// <see cref="ConnectionStateChanged"/>; <see cref="FrameDecoded"/> for the remote track;
/// <see cref="SendFrame"/> / <see cref="SendEncodedFrame"/> for the local track.
/// <para>
/// It owns seven parts (<see cref="IceAgent"/>, <see cref="DtlsSession"/>, <see cref="SrtpTransport"/>,
/// <see cref="VideoReceiver"/>, <see cref="VideoSender"/>, <see cref="AudioReceiver"/>, <see cref="AudioSender"/>) and one <see cref="SerialExecutor"/> on which
/// every state change runs: ICE outcomes, DTLS results, RTCP feedback, the 20 ms timer and the
/// <see cref="ConnectionStateChanged"/> and <see cref="KeyframeRequested"/> events, so none of them runs
/// on a socket or DTLS thread and they never race each other. The media fast paths stay where the data
/// is (SRTP + assembly on the socket thread, decode on a worker task, encode on the caller's thread),
/// each behind its part's own lock. Every event subscriber is isolated: an exception is logged and
/// counted (<see cref="PeerConnectionStats.HandlerFailures"/>), never fatal. Runs on the shared socket
/// of its <see cref="RtcMediaServer"/>; a failing session never affects the others.
/// </para>
/// </summary>
public sealed partial class RtcPeerConnection : IAsyncDisposable, IDisposable
{
    private readonly RtcMediaServer _server;
    private readonly RtcOptions _options;
    private readonly ILogger _logger;
    private readonly string _localPassword;
    private readonly string _cname = RandomToken(16);
    private readonly SerialExecutor _executor;
    private readonly HandlerIsolation _handlers;
    private readonly IceAgent _ice;
    private readonly SrtpTransport _srtp = new();
    private readonly VideoReceiver _receiver;
    private readonly VideoSender _sender;
    private readonly AudioSender _audioSender;
    private volatile NegotiatedVideo? _video;
    private DtlsSession? _dtls;
    private volatile bool _isOfferer;
    private bool _dtlsWaitsForIce;
    private LocalMediaParameters? _local;

    internal RtcPeerConnection(RtcMediaServer server, RtcOptions options, ILogger logger)
    {
        _server = server;
        _options = options;
        _logger = logger;
        LocalUfrag = RandomToken(8);
        _localPassword = RandomToken(24);
        _executor = new SerialExecutor(logger);
        _handlers = new HandlerIsolation(logger);
        _ice = new IceAgent(LocalUfrag, _localPassword);
        _receiver = new VideoReceiver(Vp8VideoCodec.Instance, options);
        _sender = new VideoSender(Vp8VideoCodec.Instance, options, BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4)), _srtp,
            (datagram, target) => _server.Send(datagram, target));
        _audioSender = new AudioSender(BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4)), _srtp, (datagram, target) => _server.Send(datagram, target));
        StartPacer();
    }

    /// <summary>Our ICE username fragment (the server demultiplexes STUN by it).</summary>
    public string LocalUfrag { get; }

    /// <summary>The current state; changes are made atomically and announced in order on the executor.</summary>
    public PeerConnectionState ConnectionState { get; private set; } = PeerConnectionState.New;

    /// <summary>Raised on every state change, in order, on the connection's executor (never a socket thread).</summary>
    public event EventHandler<PeerConnectionState>? ConnectionStateChanged;

    /// <summary>A picture decoded from the remote track (raised on the decode worker, in order).</summary>
    public event EventHandler<DecodedVideoFrame>? FrameDecoded;

    /// <summary>
    /// A complete remote frame with an intact reference chain, just before it is decoded (or instead of
    /// being decoded when <see cref="RtcOptions.DecodeIncomingVideo"/> is off). Raised on the decode worker, in order.
    /// </summary>
    public event EventHandler<AssembledFrame>? FrameAssembled;

    /// <summary>
    /// The remote side needs a keyframe from us (PLI/FIR, or a viewer just connected); raised on the
    /// executor. <see cref="SendFrame"/> handles it by itself; callers of <see cref="SendEncodedFrame"/>
    /// must force a keyframe on their encoder.
    /// </summary>
    public event EventHandler? KeyframeRequested;

    /// <summary>Whether this connection's decode worker created a decoder (tests check the opt-out).</summary>
    internal bool DecoderCreated => _receiver.DecoderCreated;

    /// <summary>The negotiated video transceiver (mid, directions, payload type), once negotiated.</summary>
    public VideoTransceiver? Transceiver => _video is { } video ? new VideoTransceiver(video, _sender.Ssrc) : null;

    /// <summary>
    /// Answers a remote offer (browser, publisher): one video m-line with the first codec of
    /// <see cref="RtcOptions.PreferredCodecs"/> the offer has, ICE-lite, setup:passive (we are the DTLS server).
    /// Throws <see cref="SdpException"/> for offers we cannot use (no codec in common, no DTLS, malformed).
    /// </summary>
    public string CreateAnswer(string offerSdp)
    {
        EnsureNotNegotiated();
        var (answer, video) = SdpNegotiation.CreateAnswer(offerSdp, LocalParameters(withCandidates: true), _options.PreferredCodecs.ToList());
        _isOfferer = false;
        Negotiated(video);
        StartDtls(isServer: true, video);
        StartTimer();
        _logger.LogInformation("Answered offer: mid {Mid}, {Codec} PT {Pt}, direction {Direction}", video.Mid, video.Codec, video.PayloadType, video.LocalDirection);
        return answer;
    }

    /// <summary>
    /// Creates an offer of <paramref name="codec"/> (and, with <paramref name="audioDirection"/>, Opus) for the
    /// client role (tests, headless client); apply the reply with <see cref="SetAnswer"/>.
    /// </summary>
    public string CreateOffer(string direction = "sendrecv", VideoCodec codec = VideoCodec.Vp8, string? audioDirection = null) =>
        CreateOffer(direction, [codec], audioDirection, withCandidates: false);

    /// <summary>
    /// Creates an offer of every codec in <paramref name="codecs"/> (preference order) for the client role, e.g.
    /// a WHIP publish (sendonly, VP8 + H.264, Opus). <paramref name="withCandidates"/> lists our host candidates,
    /// which a full ICE answerer needs to check us back (RFC 8445 section 7.3).
    /// </summary>
    public string CreateOffer(string direction, IReadOnlyList<VideoCodec> codecs, string? audioDirection, bool withCandidates)
    {
        EnsureNotNegotiated();
        _isOfferer = true;
        return SdpNegotiation.CreateOffer(LocalParameters(withCandidates), direction, codecs: codecs, audioDirection: audioDirection);
    }

    /// <summary>
    /// Applies the answer to our offer: we are the controlling ICE agent and check every answer candidate our
    /// sockets can reach (RFC 8445 sections 7.2, 8.1.1); DTLS client when the answer says a=setup:passive,
    /// DTLS server when it says active (RFC 8842 section 5.3).
    /// </summary>
    public void SetAnswer(string answerSdp)
    {
        if (!_isOfferer || _video is not null)
        {
            throw new InvalidOperationException("SetAnswer needs a prior CreateOffer on this connection.");
        }

        var video = SdpNegotiation.ReadAnswer(answerSdp);
        var reachable = video.RemoteCandidates.Where(_server.CanReach).ToList();
        if (reachable.Count == 0)
        {
            throw new SdpException(video.RemoteCandidates.Count == 0 ? "The answer has no usable UDP candidate."
                : $"None of the answer's candidates ({string.Join(", ", video.RemoteCandidates)}) has an address family this server's media sockets have.");
        }

        bool dtlsServer = video.RemoteSetup switch
        {
            "passive" or "actpass" => false,
            "active" => true,
            _ => throw new SdpException($"The answer's a=setup:{video.RemoteSetup} is not valid (needs active or passive)."),
        };
        _ice.StartChecks(LocalUfrag, video.RemoteIceUfrag, video.RemoteIcePassword, reachable);
        Negotiated(video);
        foreach (var remote in reachable)
        {
            _server.Bind(remote, this);
        }

        _dtlsWaitsForIce = !dtlsServer;
        StartDtls(isServer: dtlsServer, video);
        StartTimer();
        SetState(PeerConnectionState.Connecting);
        _logger.LogInformation("Applied answer: {Codec} PT {Pt}, checking {Count} candidate(s), remote ICE {Lite}, we are the DTLS {Role}",
            video.Codec, video.PayloadType, reachable.Count, video.RemoteIceLite ? "lite" : "full", dtlsServer ? "server" : "client");
    }

    /// <summary>The codec seam for the negotiated codec goes to the receiver and sender parts.</summary>
    private void Negotiated(NegotiatedVideo video)
    {
        var codec = VideoCodecs.For(video);
        if (video.WeReceive)
        {
            _receiver.Enable(codec, video.PayloadType);
            _receiver.EnableRtx(video.RtxPayloadType);
            _receiver.EnableTransportCc(video.Extensions);
        }

        if (video.WeSend)
        {
            _sender.Enable(codec, video.PayloadType, video.RtxPayloadType);
            _sender.EnableExtensions(video.Extensions, video.Mid);
        }

        EnableAudio(video);
        _video = video;
    }

    private void EnsureNotNegotiated()
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        if (_video is not null || _isOfferer)
        {
            throw new InvalidOperationException("This peer connection was already negotiated; renegotiation is not supported.");
        }
    }

    private LocalMediaParameters LocalParameters(bool withCandidates) => _local ??= new LocalMediaParameters(
        LocalUfrag, _localPassword, _server.Certificate.Fingerprint, withCandidates ? _server.Candidates : [],
        _sender.Ssrc, _cname, "persona-" + RandomToken(8), "video-" + RandomToken(8))
    {
        AudioSsrc = _audioSender.Ssrc,
        RtxSsrc = _sender.RtxSsrc,
        AudioTrackId = "audio-" + RandomToken(8),
    };

    private static string RandomToken(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        return RandomNumberGenerator.GetString(alphabet, length);
    }

    internal static long NowMs => Environment.TickCount64;
}

/// <summary>The video transceiver of a peer connection (W3C RTCRtpTransceiver, reduced to what we negotiate).</summary>
public sealed record VideoTransceiver(NegotiatedVideo Negotiated, uint LocalSsrc)
{
    public string Mid => Negotiated.Mid;

    /// <summary>Our direction: sendrecv for a camera session, sendonly for a viewer.</summary>
    public string Direction => Negotiated.LocalDirection;

    public int PayloadType => Negotiated.PayloadType;
}
