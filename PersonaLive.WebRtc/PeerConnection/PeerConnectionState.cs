namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>Connection states, as in the W3C RTCPeerConnectionState.</summary>
public enum PeerConnectionState
{
    New,
    Connecting,
    Connected,
    Disconnected,
    Failed,
    Closed,
}
