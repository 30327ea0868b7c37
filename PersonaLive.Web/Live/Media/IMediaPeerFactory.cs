namespace PersonaLive.Web.Live.Media;

/// <summary>
/// Creates peer connections on the process's shared media server (one UDP port for every session).
/// Bound to PersonaLive.WebRtc's RtcMediaServer by an adapter; <see cref="UnavailableMediaPeerFactory"/>
/// stands in when this build has no media stack, so the UI can say so instead of failing.
/// </summary>
internal interface IMediaPeerFactory
{
    /// <summary>False when live media cannot work at all (the UI explains <see cref="UnavailableReason"/>).</summary>
    bool IsAvailable { get; }

    /// <summary>Why live media is unavailable, for people; null when available.</summary>
    string? UnavailableReason { get; }

    /// <summary>Creates a new, unconnected peer. The caller owns it and must dispose it.</summary>
    ILiveMediaPeer CreatePeer(MediaPeerRole role);

    /// <summary>Creates a peer for live session <paramref name="sessionId"/>; its log lines carry that id.</summary>
    ILiveMediaPeer CreatePeer(MediaPeerRole role, string sessionId) => CreatePeer(role);
}

/// <summary>Used while the WebRTC stack is not part of the build: every attempt reports why.</summary>
internal sealed class UnavailableMediaPeerFactory : IMediaPeerFactory
{
    public const string Reason = "Live video is not available on this server yet (the WebRTC media stack is not installed).";

    public bool IsAvailable => false;
    public string? UnavailableReason => Reason;
    public ILiveMediaPeer CreatePeer(MediaPeerRole role) => throw new MediaNegotiationException(Reason);
}
