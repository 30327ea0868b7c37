using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Live.Imaging;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.Media;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;
using SkiaSharp;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// A browser stand-in built from our own WebRTC stack in the offering role: it offers sendrecv VP8 to a
/// live session started directly on <see cref="LiveSessionManager"/> (what the Studio does through the
/// Blazor circuit), sends camera frames and counts the animated frames it receives. By default it
/// encodes each camera frame itself (<see cref="Send(I420Frame)"/>) and decodes the output, as a browser
/// does (the resilience tests rely on that); the <c>sessions</c> benchmark makes it nearly free instead:
/// it sends a loop encoded once (<see cref="Send(EncodedCameraLoop)"/>) and counts complete output frames
/// without decoding them (<c>decodeOutput: false</c>, <see cref="RtcOptions.DecodeIncomingVideo"/>).
/// With <c>pacedSend: false</c> its sender does not pace (<see cref="RtcOptions.PacingFactor"/> 0): a client
/// that sends a loop encoded once cannot lower its bitrate when the server's feedback lowers its target
/// (a browser would re-encode smaller and keep its frame rate), so a pacer holding its packets to that
/// target would only drop its queue and leave the server waiting for the loop's next keyframe.
/// </summary>
internal sealed class SyntheticLiveClient : IAsyncDisposable
{
    private long _received;
    private int _loopPosition;

    private readonly RtcMediaServer _media;

    private SyntheticLiveClient(RtcMediaServer media, RtcPeerConnection peer, string sessionId, bool decodeOutput)
    {
        _media = media;
        Peer = peer;
        SessionId = sessionId;
        DecodesOutput = decodeOutput;
        if (decodeOutput) peer.FrameDecoded += (_, _) => Interlocked.Increment(ref _received);
        else peer.FrameAssembled += (_, _) => Interlocked.Increment(ref _received);
    }

    public RtcPeerConnection Peer { get; }

    /// <summary>The client's UDP address: what the server authenticated (tests forge datagrams from it).</summary>
    public System.Net.IPEndPoint LocalEndPoint => _media.LocalEndPoint;
    public string SessionId { get; }

    /// <summary>Whether the animated output is decoded (else complete frames are only counted).</summary>
    public bool DecodesOutput { get; }

    /// <summary>Animated frames received so far: decoded ones, or complete ones when not decoding.</summary>
    public long FramesReceived => Interlocked.Read(ref _received);

    /// <summary>
    /// Admits, starts a session with <paramref name="portrait"/>, answers and waits until the peer connection
    /// is up. Each client has its own UDP socket, like each browser peer connection (the server tells
    /// peers apart by source address once ICE has run). <paramref name="rewriteAnswer"/> lets a test point
    /// the client at a relay instead of the server. <paramref name="decodeOutput"/> false counts the
    /// animated frames without decoding them (no libvpx decoder in the client). <paramref name="voice"/> adds
    /// an Opus m-line (send the packets with <see cref="RtcPeerConnection.SendAudio"/>).
    /// </summary>
    public static Task<SyntheticLiveClient> ConnectAsync(LiveSessionManager sessions,
        PreparedPortrait portrait, CancellationToken ct, Func<string, string>? rewriteAnswer = null, bool decodeOutput = true, bool voice = false,
        bool pacedSend = true)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        var ticket = sessions.Admission.TryEnter() ?? throw new InvalidOperationException("The server is full.");
        return ConnectAsync((offer, _) =>
        {
            var (session, answer) = sessions.Start(ticket, portrait, offer); // frees the ticket itself on failure
            return Task.FromResult((session.Id, rewriteAnswer?.Invoke(answer) ?? answer));
        }, ct, decodeOutput, voice, pacedSend: pacedSend);
    }

    /// <summary>
    /// Offers to any answerer: <paramref name="signal"/> takes the offer and returns a session id and the
    /// answer (our session manager above, or the aiortc echo peer). With <paramref name="inNamespace"/> the
    /// client's UDP socket is created in that network namespace, bound to <paramref name="bindAddress"/>
    /// (the network lab's client side).
    /// </summary>
    public static Task<SyntheticLiveClient> ConnectAsync(Func<string, CancellationToken, Task<(string SessionId, string Answer)>> signal,
        CancellationToken ct, bool decodeOutput = true, bool voice = false, string bindAddress = "127.0.0.1", string? inNamespace = null,
        bool pacedSend = true)
    {
        ArgumentNullException.ThrowIfNull(signal);
        return ConnectCoreAsync(async (peer, token) =>
        {
            var offer = peer.CreateOffer("sendrecv", audioDirection: voice ? "sendrecv" : null);
            var (sessionId, answer) = await signal(offer, token).ConfigureAwait(false);
            peer.SetAnswer(answer);
            return sessionId;
        }, ct, decodeOutput, bindAddress, inNamespace, pacedSend);
    }

    /// <summary>
    /// The answering role, for peers that offer (the aiortc echo peer): <paramref name="getOffer"/> returns a
    /// session id and the peer's offer, this client answers (ICE-lite, DTLS server, as our host answers) and
    /// <paramref name="sendAnswer"/> hands the answer back. Media flows as with <see cref="ConnectAsync(Func{string, CancellationToken, Task{ValueTuple{string, string}}}, CancellationToken, bool, bool, string, string?, bool)"/>.
    /// </summary>
    public static Task<SyntheticLiveClient> AnswerAsync(Func<CancellationToken, Task<(string SessionId, string Offer)>> getOffer,
        Func<string, string, CancellationToken, Task> sendAnswer, CancellationToken ct, bool decodeOutput = true,
        string bindAddress = "127.0.0.1", string? inNamespace = null, bool pacedSend = true)
    {
        ArgumentNullException.ThrowIfNull(getOffer);
        ArgumentNullException.ThrowIfNull(sendAnswer);
        return ConnectCoreAsync(async (peer, token) =>
        {
            var (sessionId, offer) = await getOffer(token).ConfigureAwait(false);
            await sendAnswer(sessionId, peer.CreateAnswer(offer), token).ConfigureAwait(false);
            return sessionId;
        }, ct, decodeOutput, bindAddress, inNamespace, pacedSend);
    }

    /// <summary>Creates the client's media server (in <paramref name="inNamespace"/> when given) and peer, negotiates with <paramref name="negotiate"/> and waits until connected.</summary>
    private static async Task<SyntheticLiveClient> ConnectCoreAsync(Func<RtcPeerConnection, CancellationToken, Task<string>> negotiate,
        CancellationToken ct, bool decodeOutput, string bindAddress, string? inNamespace, bool pacedSend)
    {
        // MaxIncomingBitrateKbps: a browser that runs transport-cc sends no REMB ceiling, so neither does the client in effect.
        var options = new RtcOptions { MediaPort = 0, BindAddress = bindAddress, DecodeIncomingVideo = decodeOutput, MaxIncomingBitrateKbps = 100_000 };
        if (!pacedSend) options.PacingFactor = 0; // every packet leaves as it is packetised (see the summary)
        var media = inNamespace is null
            ? new RtcMediaServer(options, NullLoggerFactory.Instance)
            : PersonaLive.TestSupport.NetnsThread.Run(inNamespace, () => new RtcMediaServer(options, NullLoggerFactory.Instance));
        RtcPeerConnection? peer = null;
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            peer = media.CreatePeerConnection();
            peer.ConnectionStateChanged += (_, s) =>
            {
                if (s == PeerConnectionState.Connected) connected.TrySetResult();
                else if (s is PeerConnectionState.Failed or PeerConnectionState.Closed) connected.TrySetException(new InvalidOperationException($"The client peer went {s} before connecting."));
            };
            var sessionId = await negotiate(peer, ct).ConfigureAwait(false);
            var client = new SyntheticLiveClient(media, peer, sessionId, decodeOutput);
            await connected.Task.WaitAsync(TimeSpan.FromSeconds(20), ct).ConfigureAwait(false);
            return client;
        }
        catch
        {
            if (peer is not null) await peer.DisposeAsync().ConfigureAwait(false);
            await media.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Encodes and sends one camera frame stamped with the current NTP time.</summary>
    public void Send(I420Frame frame) => Peer.SendFrame(frame, NtpTime.Now());

    /// <summary>
    /// Sends this client's next position of a pre-encoded loop (no encoding here), stamped with the
    /// current NTP time. Each client starts at position 0, a keyframe. A PLI from the server is not
    /// answered at once: the loop's next keyframe comes within <see cref="EncodedCameraLoop.KeyframeInterval"/> frames.
    /// </summary>
    public void Send(EncodedCameraLoop loop)
    {
        ArgumentNullException.ThrowIfNull(loop);
        var now = NtpTime.Now();
        var frames = loop.At(_loopPosition);
        for (var i = 0; i < frames.Count; i++) Peer.SendEncodedFrame(frames[i], now);
        _loopPosition = (_loopPosition + 1) % loop.Count;
    }

    /// <summary>Hangs up the way a closing browser does: RTCP BYE, DTLS close_notify; then closes its socket.</summary>
    public async ValueTask DisposeAsync()
    {
        await Peer.DisposeAsync().ConfigureAwait(false);
        await _media.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>A moving face (any encoded image) as a loop of I420 camera frames.</summary>
    public static IReadOnlyList<I420Frame> CameraLoop(byte[] face, int width, int height, int count)
    {
        var frames = new List<I420Frame>(count);
        foreach (var rgba in Y4mVideo.MovingFace(face, width, height, count, new SKColor(120, 130, 140)))
        {
            using (rgba)
            using (var i420 = YuvConverter.ToI420(rgba))
            {
                var frame = I420Frame.Create(width, height);
                i420.Y.CopyTo(frame.Y);
                i420.U.CopyTo(frame.U);
                i420.V.CopyTo(frame.V);
                frames.Add(frame);
            }
        }
        return frames;
    }
}
