using PersonaLive.Media;

namespace PersonaLive.Web.Live.Media;

/// <summary>
/// The web app's view of one WebRTC peer connection (the seam to PersonaLive.WebRtc). The live
/// pipeline only talks to this interface, so it is tested with fakes and the real stack is bound by a
/// thin adapter (PeerConnection: CreateAnswer, ConnectionStateChanged, FrameDecoded, SendFrame,
/// SendEncodedFrame, RequestKeyframe, stats, DisposeAsync).
/// </summary>
/// <remarks>
/// Threading: events are raised on the media stack's threads; handlers must be quick and must not
/// block (decoded pictures are pooled: the pipeline takes a reference with I420Frame.Retain, no copy).
/// Time: every capture time is microseconds since the Unix epoch on the <b>browser's</b> clock, i.e.
/// the sender's RTCP SR NTP time converted to Unix time (NTP seconds - 2208988800). The page compares
/// it with <c>performance.timeOrigin + performance.now()</c>, which is on the same clock.
/// <para>Binding PersonaLive.WebRtc (one adapter class wrapping a PeerConnection, one factory wrapping the
/// shared RtcMediaServer, registered in WebHostSetup.AddLive):
/// CreateAnswer =&gt; PeerConnection.CreateAnswer; ConnectionStateChanged =&gt; map its states;
/// FrameDecoded =&gt; pass its decoded frame on (pooled I420 picture, RTP timestamp, SR-derived capture
/// time, null until the first SR); SendFrame =&gt; encode + send with that capture time, return the
/// RTP timestamp used and raise FrameEncoded with the encoded bytes; SendEncodedFrame =&gt; packetize and
/// send pre-encoded VP8 (viewers); RequestKeyframe =&gt; PLI to the browser; ForceKeyframe =&gt; next encode is
/// a keyframe; KeyframeRequested: raised on PLI/FIR received; GetStats =&gt; its counters; DisposeAsync =&gt; close.</para>
/// </remarks>
internal interface ILiveMediaPeer : IAsyncDisposable
{
    /// <summary>Process-unique id, for logs and the registry.</summary>
    string Id { get; }

    /// <summary>Host peers send and receive; viewer peers only send.</summary>
    MediaPeerRole Role { get; }

    /// <summary>Current connection state (mirrors RTCPeerConnection.connectionState).</summary>
    MediaPeerState State { get; }

    /// <summary>Raised whenever <see cref="State"/> changes.</summary>
    event Action<MediaPeerState>? ConnectionStateChanged;

    /// <summary>A camera frame was decoded (host peers only). The picture is valid during the call; retain it to keep it.</summary>
    event DecodedFrameHandler? FrameDecoded;

    /// <summary>An output frame was encoded by <see cref="SendFrame"/>; the pipeline forwards it to viewers.</summary>
    event EncodedFrameHandler? FrameEncoded;

    /// <summary>The remote side asked for a keyframe (PLI/FIR from a viewer or the host's browser).</summary>
    event Action? KeyframeRequested;

    /// <summary>Applies the browser's offer and returns our answer (SDP text). Throws <see cref="MediaNegotiationException"/> on an unusable offer.</summary>
    string CreateAnswer(string offerSdp);

    /// <summary>
    /// Client role (Go live: we publish to a WHIP server): a sendonly offer of every codec we encode (and
    /// Opus sendonly with <paramref name="withVoice"/>), with our candidates. Not supported by default.
    /// </summary>
    string CreateOffer(bool withVoice) => throw new MediaNegotiationException("This media peer cannot make offers.");

    /// <summary>Client role: applies the WHIP server's answer. Throws <see cref="MediaNegotiationException"/> on an unusable answer.</summary>
    void ApplyAnswer(string answerSdp) => throw new MediaNegotiationException("This media peer cannot take answers.");

    /// <summary>Whether this peer negotiated a voice track from its remote side (the host's microphone).</summary>
    bool ReceivesVoice => false;

    /// <summary>
    /// Encodes and sends one output frame on this peer. <paramref name="captureTimeUs"/> is the capture
    /// time of the driving camera frame, carried in RTCP SR / abs-capture-time so the browser can measure
    /// glass-to-glass latency. Returns the RTP timestamp the frame was sent with.
    /// </summary>
    uint SendFrame(I420Frame frame, long captureTimeUs);

    /// <summary>
    /// The codec this peer sends (rtpmap name: VP8, H264) once negotiated; null when it sends nothing or
    /// does not say (then it takes every encoded frame). The fan-out only hands a viewer frames of its codec.
    /// </summary>
    string? SendCodec => null;

    /// <summary>
    /// Makes this (host) peer also encode its output in the codec <paramref name="viewer"/> negotiated when
    /// that is not the codec it already writes: one extra encoder per codec, shared by all its viewers.
    /// </summary>
    void EncodeAlsoFor(ILiveMediaPeer viewer) { }

    /// <summary>Sends an already encoded frame in this peer's codec (viewer fan-out: one encode per codec, many peers).</summary>
    void SendEncodedFrame(in EncodedVideoFrame frame);

    /// <summary>Asks the remote sender for a keyframe (PLI), e.g. after decode errors.</summary>
    void RequestKeyframe();

    /// <summary>Makes the next frame from <see cref="SendFrame"/> a keyframe (a viewer joined).</summary>
    void ForceKeyframe();

    /// <summary>Counters for the stats overlay and metrics.</summary>
    MediaPeerStats GetStats();

    /// <summary>A packet of the browser's microphone track (Opus, undecoded), raised on a media thread; none by default.</summary>
    event Action<Voice.VoicePacket>? VoiceReceived
    {
        add { }
        remove { }
    }

    /// <summary>Relays one voice packet to this peer when its audio was negotiated (dropped otherwise, the default).</summary>
    void SendVoice(Voice.VoicePacket packet)
    {
    }
}

/// <summary>Which side of a session a peer serves.</summary>
internal enum MediaPeerRole
{
    /// <summary>The studio user: camera in, animated output back on the same transceiver.</summary>
    Host,

    /// <summary>A share-link viewer: receive-only in the browser, send-only here.</summary>
    Viewer,
}

/// <summary>Connection state, mirroring the W3C RTCPeerConnectionState values.</summary>
public enum MediaPeerState { New, Connecting, Connected, Disconnected, Failed, Closed }

/// <summary>Handler for decoded camera frames.</summary>
internal delegate void DecodedFrameHandler(in DecodedVideoFrame frame);

/// <summary>Handler for encoded output frames.</summary>
internal delegate void EncodedFrameHandler(in EncodedVideoFrame frame);

/// <summary>An offer the media stack cannot answer (no VP8, no DTLS...); the message is shown to the user.</summary>
internal sealed class MediaNegotiationException(string message, Exception? inner = null) : Exception(message, inner);
