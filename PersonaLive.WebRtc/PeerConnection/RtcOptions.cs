namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// Media transport settings (configuration section <c>Rtc</c>): the one shared UDP port every session
/// uses (ICE-lite, demultiplexed by ICE username), and the addresses announced as host candidates.
/// </summary>
public sealed class RtcOptions
{
    public const string SectionName = "Rtc";

    /// <summary>UDP port for all media (0 = pick a free port, used by tests).</summary>
    public int MediaPort { get; set; } = 50000;

    /// <summary>Local address to bind the media socket to.</summary>
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>Addresses announced as ICE host candidates (public IP in the cloud, 127.0.0.1 in tests).</summary>
    public IList<string> AnnouncedAddresses { get; } = new List<string> { "127.0.0.1" };

    /// <summary>STUN/TURN URLs handed to the browser's RTCPeerConnection.</summary>
    public IList<string> IceServers { get; } = new List<string>();
}
