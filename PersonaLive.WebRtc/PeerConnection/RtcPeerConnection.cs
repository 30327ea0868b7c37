using System.Net;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.Codecs.Vpx;
using PersonaLive.WebRtc.Dtls;
using PersonaLive.WebRtc.Ice;
using PersonaLive.WebRtc.Media;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Sdp;
using PersonaLive.WebRtc.Srtp;

namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// One WebRTC peer connection with a single bundled VP8 video transceiver, shaped like the W3C
/// RTCPeerConnection: answer a browser's offer (<see cref="CreateAnswer"/>: ICE-lite, DTLS server) or
/// offer yourself (<see cref="CreateOffer"/> + <see cref="SetAnswer"/>: controlling ICE, DTLS client);
/// <see cref="ConnectionStateChanged"/>; <see cref="FrameDecoded"/> for the remote track;
/// <see cref="SendFrame"/> / <see cref="SendEncodedFrame"/> for the local track. Runs on the shared
/// socket of its <see cref="RtcMediaServer"/>; a failing session never affects the others.
/// </summary>
public sealed partial class RtcPeerConnection : IAsyncDisposable, IDisposable
{
    private readonly RtcMediaServer _server;
    private readonly RtcOptions _options;
    private readonly ILogger _logger;
    private readonly string _localPassword;
    private readonly uint _localSsrc = BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4));
    private readonly uint _timestampOffset = BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4));
    private readonly string _cname = RandomToken(16);
    private readonly object _stateLock = new();
    private readonly CancellationTokenSource _closing = new();
    private NegotiatedVideo? _video;
    private DtlsSession? _dtls;
    private bool _isOfferer;
    private LocalMediaParameters? _local;
    private Task? _timerTask;

    internal RtcPeerConnection(RtcMediaServer server, RtcOptions options, ILogger logger)
    {
        _server = server;
        _options = options;
        _logger = logger;
        LocalUfrag = RandomToken(8);
        _localPassword = RandomToken(24);
        _responder = new IceLiteResponder(LocalUfrag, _localPassword);
        _assembler = new Vp8FrameAssembler(options.FrameLossTimeoutMs);
        _packetizer = new Vp8Packetizer();
        _sequence = (ushort)RandomNumberGenerator.GetInt32(0, 65536);
        _bandwidth = new BandwidthController(options.StartOutgoingBitrateKbps, options.MinOutgoingBitrateKbps, options.MaxOutgoingBitrateKbps);
        _rembKbps = options.MaxIncomingBitrateKbps;
        _pendingBitrateKbps = _bandwidth.TargetKbps;
        _retransmitBudget = new RetransmissionBudget(options.RetransmissionBudgetPercent / 100.0);
        _decodeQueue = Channel.CreateBounded<AssembledFrame>(
            new BoundedChannelOptions(32) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            _ =>
            {
                Interlocked.Increment(ref _decoderSkipped); // the dropped frame is lost, and so is the chain after it
                _decoderNeedsKeyframe = true;
            });
    }

    /// <summary>Our ICE username fragment (the server demultiplexes STUN by it).</summary>
    public string LocalUfrag { get; }

    public PeerConnectionState ConnectionState { get; private set; } = PeerConnectionState.New;

    /// <summary>Raised on every state change (from a background thread).</summary>
    public event EventHandler<PeerConnectionState>? ConnectionStateChanged;

    /// <summary>A picture decoded from the remote track (raised on the decode thread, in order).</summary>
    public event EventHandler<DecodedVideoFrame>? FrameDecoded;

    /// <summary>
    /// A complete remote frame with an intact reference chain, just before it is decoded (or instead of
    /// being decoded when <see cref="RtcOptions.DecodeIncomingVideo"/> is off). Raised on the decode thread, in order.
    /// </summary>
    public event EventHandler<AssembledFrame>? FrameAssembled;

    /// <summary>Whether this connection's decode worker created a libvpx decoder (tests check the opt-out).</summary>
    internal bool DecoderCreated { get; private set; }

    /// <summary>
    /// The remote side needs a keyframe from us (PLI/FIR, or a viewer just connected). <see cref="SendFrame"/>
    /// handles it by itself; callers of <see cref="SendEncodedFrame"/> must force a keyframe on their encoder.
    /// </summary>
    public event EventHandler? KeyframeRequested;

    /// <summary>The negotiated video transceiver (mid, directions, payload type), once negotiated.</summary>
    public VideoTransceiver? Transceiver => _video is null ? null : new VideoTransceiver(_video, _localSsrc);

    /// <summary>
    /// Answers a remote offer (browser): one VP8 m-line, ICE-lite, setup:passive (we are the DTLS server).
    /// Throws <see cref="SdpException"/> for offers we cannot use (no VP8, no DTLS, malformed).
    /// </summary>
    public string CreateAnswer(string offerSdp)
    {
        EnsureNotNegotiated();
        var (answer, video) = SdpNegotiation.CreateAnswer(offerSdp, LocalParameters(withCandidates: true), _options.PreferredCodecs.ToList());
        _video = video;
        UseCodec(video);
        _isOfferer = false;
        StartDtls(isServer: true, video);
        StartTimer();
        _logger.LogInformation("Answered offer: mid {Mid}, {Codec} PT {Pt}, direction {Direction}", video.Mid, video.Codec, video.Vp8PayloadType, video.LocalDirection);
        return answer;
    }

    /// <summary>Creates an offer for the client role (tests, headless client); apply the reply with <see cref="SetAnswer"/>.</summary>
    public string CreateOffer(string direction = "sendrecv", VideoCodec codec = VideoCodec.Vp8)
    {
        EnsureNotNegotiated();
        _isOfferer = true;
        return SdpNegotiation.CreateOffer(LocalParameters(withCandidates: false), direction, codec: codec);
    }

    /// <summary>Applies the answer to our offer: starts ICE checks toward its candidates, then the DTLS client.</summary>
    public void SetAnswer(string answerSdp)
    {
        if (!_isOfferer || _video is not null)
        {
            throw new InvalidOperationException("SetAnswer needs a prior CreateOffer on this connection.");
        }

        var video = SdpNegotiation.ReadAnswer(answerSdp);
        if (video.RemoteCandidates.Count == 0)
        {
            throw new SdpException("The answer has no usable UDP candidate.");
        }

        if (video.RemoteSetup is not ("passive" or "actpass"))
        {
            throw new SdpException($"The answer's a=setup:{video.RemoteSetup} is not supported by our client role (needs passive).");
        }

        _video = video;
        UseCodec(video);
        _checker = new IceControllingChecker(LocalUfrag, video.RemoteIceUfrag, video.RemoteIcePassword);
        _remoteCandidate = video.RemoteCandidates[0];
        _server.Bind(_remoteCandidate, this);
        StartDtls(isServer: false, video);
        StartTimer();
        SetState(PeerConnectionState.Connecting);
    }

    private void EnsureNotNegotiated()
    {
        ObjectDisposedException.ThrowIf(_closing.IsCancellationRequested, this);
        if (_video is not null || _isOfferer)
        {
            throw new InvalidOperationException("This peer connection was already negotiated; renegotiation is not supported.");
        }
    }

    private LocalMediaParameters LocalParameters(bool withCandidates) => _local ??= new LocalMediaParameters(
        LocalUfrag, _localPassword, _server.Certificate.Fingerprint, withCandidates ? _server.Candidates : [],
        _localSsrc, _cname, "persona-" + RandomToken(8), "video-" + RandomToken(8));

    private void StartDtls(bool isServer, NegotiatedVideo video)
    {
        var dtls = new DtlsSession(isServer, _server.Certificate, video.RemoteFingerprintAlgorithm, video.RemoteFingerprint,
            SendDtls, _logger, _options.DtlsHandshakeTimeoutSeconds * 1000);
        dtls.Connected += OnDtlsConnected;
        dtls.Failed += e => Fail($"DTLS handshake failed: {e.Message}");
        dtls.Closed += () =>
        {
            _logger.LogInformation("Remote closed the DTLS association");
            Close();
        };
        _dtls = dtls;
        if (isServer)
        {
            dtls.Start(); // waits for the ClientHello; early datagrams are queued
        }
    }

    private void SendDtls(ReadOnlyMemory<byte> datagram)
    {
        var target = _selected;
        if (target is not null)
        {
            _server.Send(datagram.Span, target);
        }
    }

    internal void SetState(PeerConnectionState state)
    {
        lock (_stateLock)
        {
            if (ConnectionState == state || ConnectionState == PeerConnectionState.Closed
                || (ConnectionState == PeerConnectionState.Failed && state != PeerConnectionState.Closed))
            {
                return;
            }

            ConnectionState = state;
        }

        _logger.LogInformation("Peer connection {Ufrag} is {State}", LocalUfrag, state);
        try
        {
            ConnectionStateChanged?.Invoke(this, state);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "ConnectionStateChanged handler threw");
        }
    }

    private void Fail(string reason)
    {
        _logger.LogWarning("Peer connection {Ufrag} failed: {Reason}", LocalUfrag, reason);
        SetState(PeerConnectionState.Failed);
        Close();
    }

    /// <summary>Sends RTCP BYE and DTLS close_notify, stops all work and frees native codec handles.</summary>
    public void Close()
    {
        if (_closing.IsCancellationRequested)
        {
            return;
        }

        if (ConnectionState == PeerConnectionState.Connected)
        {
            SendBye();
        }

        _closing.Cancel();
        _server.Remove(this);
        _dtls?.Dispose();
        _decodeQueue.Writer.TryComplete();
        lock (_encodeLock)
        {
            _encoder?.Dispose(); // never while another thread is inside Encode
            _encoder = null;
        }

        lock (_sendLock)
        {
            _outbound?.Dispose();
            _outbound = null;
        }

        if (_decodeTask is null)
        {
            lock (_receiveLock)
            {
                _inbound?.Dispose();
                _inbound = null;
            }
        }

        SetState(PeerConnectionState.Closed);
    }

    public void Dispose() => Close();

    public async ValueTask DisposeAsync()
    {
        Close();
        if (_timerTask is not null)
        {
            await _timerTask.ConfigureAwait(false);
        }

        if (_decodeTask is not null)
        {
            await _decodeTask.ConfigureAwait(false);
        }
    }

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

    public int PayloadType => Negotiated.Vp8PayloadType;
}
