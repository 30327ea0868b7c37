namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// Media transport settings (configuration section <c>Rtc</c>): the one shared UDP port every session
/// uses (ICE-lite, demultiplexed by ICE username), the addresses announced as host candidates, and the
/// bounds of the congestion response.
/// </summary>
public sealed class RtcOptions
{
    public const string SectionName = "Rtc";

    /// <summary>UDP port for all media (0 = pick a free port, used by tests).</summary>
    public int MediaPort { get; set; } = 50000;

    /// <summary>
    /// Local address of the media sockets. A wildcard (0.0.0.0, the default, or ::) opens one socket per
    /// usable local address so that every answer leaves from the address its request arrived on.
    /// </summary>
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>
    /// Addresses announced as ICE host candidates, replacing the gathered ones (the public IP behind a
    /// cloud 1:1 NAT). Empty (the default) announces what the media sockets are bound to: with a wildcard
    /// <see cref="BindAddress"/>, every usable local address gathered at start. The list starts empty
    /// because configuration binding appends to a collection.
    /// </summary>
    public IList<string> AnnouncedAddresses { get; } = new List<string>();

    /// <summary>The configured announced addresses without repeats (empty: announce the bound addresses).</summary>
    public IReadOnlyList<string> EffectiveAnnouncedAddresses => AnnouncedAddresses.Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>STUN/TURN servers handed to the browser's RTCPeerConnection (see <see cref="IceServerOptions"/>).</summary>
    public IList<IceServerOptions> IceServers { get; } = new List<IceServerOptions>();

    /// <summary>
    /// The browser's iceTransportPolicy: "all" (default) or "relay" (only TURN relay candidates, for
    /// networks where direct UDP must not be used).
    /// </summary>
    public string IceTransportPolicy { get; set; } = "all";

    /// <summary>Ceiling we announce with REMB for the browser's upload (kb/s).</summary>
    public int MaxIncomingBitrateKbps { get; set; } = 2500;

    /// <summary>Start value of our encoder's target bitrate (kb/s).</summary>
    public int StartOutgoingBitrateKbps { get; set; } = 1200;

    /// <summary>Lower bound of our encoder's target bitrate (kb/s).</summary>
    public int MinOutgoingBitrateKbps { get; set; } = 150;

    /// <summary>Upper bound of our encoder's target bitrate (kb/s).</summary>
    public int MaxOutgoingBitrateKbps { get; set; } = 2500;

    /// <summary>
    /// Liveness: a peer from which neither an authenticated STUN check (RFC 7675 consent) nor an
    /// authenticated SRTP/SRTCP packet arrived for this long is dropped; some native peers send media
    /// and only STUN Binding Indications, and their media alone keeps them. 1..3600 s.
    /// </summary>
    public int ConsentTimeoutSeconds { get; set; } = 30;

    /// <summary>DTLS handshake time limit.</summary>
    public int DtlsHandshakeTimeoutSeconds { get; set; } = 15;

    /// <summary>
    /// Shortest wait of a frame with missing packets for NACK retransmissions before it is declared lost; the
    /// receiver waits longer when its measured repair time or the round trip asks for it (at most 1 s).
    /// </summary>
    public int FrameLossTimeoutMs { get; set; } = 250;

    /// <summary>Send generic NACKs for missing packets (when negotiated); off leaves recovery to PLI keyframes.</summary>
    public bool NackEnabled { get; set; } = true;

    /// <summary>
    /// Share of our target bitrate (percent) that NACK retransmissions may add on top of the media; NACKed
    /// packets beyond it are skipped and counted (never flood a receiver that reports loss). Must be above 0.
    /// </summary>
    public int RetransmissionBudgetPercent { get; set; } = 30;

    /// <summary>VP8E_SET_CPUUSED for our encoder (negative = fixed realtime speed; -10 costs about 0.3 dB PSNR against -8 and saves about a tenth of the encode time, docs/performance.md).</summary>
    public int EncoderCpuUsed { get; set; } = -10;

    /// <summary>
    /// Video codecs we negotiate, most preferred first ("VP8", "H264"). Empty (the default) means VP8,
    /// then H.264: browsers get VP8, H.264-only publishers (OBS, FFmpeg) get H.264. A codec left out is
    /// not negotiated. The list starts empty because configuration binding appends to a collection.
    /// </summary>
    public IList<string> PreferredCodecs { get; } = new List<string>();

    /// <summary>
    /// Decode the remote video (default). Off, complete frames still go through the same receive path
    /// (reassembly, NACK, loss timeout, PLI, waiting for a keyframe after a break) and are counted in
    /// <see cref="PeerConnectionStats.FramesAssembled"/> and raised as <see cref="RtcPeerConnection.FrameAssembled"/>,
    /// but no libvpx decoder is created and <see cref="RtcPeerConnection.FrameDecoded"/> never fires: for
    /// load generators that only need to know the frames arrived, not what they show.
    /// </summary>
    public bool DecodeIncomingVideo { get; set; } = true;

    /// <summary>Maximum concurrent peer connections on this server.</summary>
    public int MaxPeerConnections { get; set; } = 64;

    /// <summary>
    /// DTLS handshakes run at once (each needs a thread while it lasts, BouncyCastle blocks); more wait
    /// in a queue. No thread is kept per peer after its handshake.
    /// </summary>
    public int MaxConcurrentDtlsHandshakes { get; set; } = 8;

    /// <summary>
    /// Let the delay-based estimator (transport-cc feedback, draft-ietf-rmcat-gcc-02) lower the encoder
    /// target below the loss-based one (on by default: the bottleneck simulation in the tests holds the
    /// queue under 200 ms at 1 Mbit/s and drains it within 3 s of a capacity drop).
    /// </summary>
    public bool DelayBasedBitrate { get; set; } = true;

    /// <summary>
    /// Pacing rate of our video over the encoder's target bitrate (1.5..2.5 spreads a frame's packets
    /// instead of bursting them into the bottleneck queue); below 1 turns pacing off.
    /// </summary>
    public double PacingFactor { get; set; } = 2.5;

    /// <summary>Packets the pacer holds at most (a 512x512 keyframe is well under 100).</summary>
    public int PacerQueuePackets { get; set; } = 256;

    /// <summary>
    /// Longest wait in the pacer: a queue older than this is dropped and a keyframe sent instead, so an
    /// encoder above the path's rate never builds seconds of delay.
    /// </summary>
    public int PacerMaxQueueDelayMs { get; set; } = 400;

    /// <summary>Below this target (kb/s) our encoder gets every second picture only (half the frame rate).</summary>
    public int FrameRateFloorKbps { get; set; } = 300;

    /// <summary>
    /// Below this target (kb/s) <see cref="RtcPeerConnection.RecommendedScale"/> asks for 3/4 of the picture
    /// size, below 3/4 of it for half (512 to 384 to 256); back up after 2 s at 25 % above the floor.
    /// </summary>
    public int ResolutionFloorKbps { get; set; } = 220;
}
