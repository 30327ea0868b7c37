namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// One entry of <c>Rtc:IceServers</c>: a STUN or TURN server as the browser's RTCPeerConnection takes it
/// (<c>urls</c>, <c>username</c>, <c>credential</c>). For TURN give either a fixed
/// <see cref="Username"/>/<see cref="Credential"/> pair, or <see cref="SharedSecret"/> (coturn's
/// <c>static-auth-secret</c>): then every session gets its own time-limited credential (see
/// <see cref="Ice.TurnRestCredentials"/>) and no long-lived TURN password reaches a browser.
/// </summary>
public sealed class IceServerOptions
{
    /// <summary><c>stun:host:port</c>, <c>turn:host:port?transport=udp|tcp</c> or <c>turns:...</c> URLs of one server.</summary>
    public IList<string> Urls { get; } = new List<string>();

    /// <summary>Fixed TURN username (with <see cref="Credential"/>).</summary>
    public string? Username { get; set; }

    /// <summary>Fixed TURN password (with <see cref="Username"/>).</summary>
    public string? Credential { get; set; }

    /// <summary>coturn's <c>static-auth-secret</c>: credentials are derived per session, never this secret itself.</summary>
    public string? SharedSecret { get; set; }

    /// <summary>How long a derived credential stays valid (seconds; with <see cref="SharedSecret"/>).</summary>
    public int CredentialTtlSeconds { get; set; } = 3600;

    /// <summary>True when an URL names a TURN server (which needs credentials).</summary>
    public bool IsTurn => Urls.Any(u => u.StartsWith("turn:", StringComparison.OrdinalIgnoreCase) || u.StartsWith("turns:", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// What is wrong with this entry (null when valid); <paramref name="key"/> is its configuration path,
    /// e.g. <c>Rtc:IceServers:0</c>. The secret itself never appears in the message.
    /// </summary>
    public string? Validate(string key)
    {
        if (Urls.Count == 0)
        {
            return $"{key}:Urls must list at least one stun:, turn: or turns: URL.";
        }

        for (int i = 0; i < Urls.Count; i++)
        {
            string url = Urls[i];
            if (!(url.StartsWith("stun:", StringComparison.OrdinalIgnoreCase) || url.StartsWith("stuns:", StringComparison.OrdinalIgnoreCase)
                || url.StartsWith("turn:", StringComparison.OrdinalIgnoreCase) || url.StartsWith("turns:", StringComparison.OrdinalIgnoreCase))
                || url.Length < 7 || url.Contains(' ', StringComparison.Ordinal))
            {
                return $"{key}:Urls:{i} must be a stun:, stuns:, turn: or turns: URL (got \"{url}\").";
            }
        }

        bool fixedPair = !string.IsNullOrEmpty(Username) || !string.IsNullOrEmpty(Credential);
        if (!string.IsNullOrEmpty(SharedSecret))
        {
            if (fixedPair)
            {
                return $"{key}: give either SharedSecret or Username/Credential, not both.";
            }

            if (SharedSecret.Length < 16)
            {
                return $"{key}:SharedSecret is too short (at least 16 characters).";
            }

            if (CredentialTtlSeconds is < 60 or > 7 * 24 * 3600)
            {
                return $"{key}:CredentialTtlSeconds must be between 60 and 604800.";
            }
        }
        else if (IsTurn && (string.IsNullOrEmpty(Username) || string.IsNullOrEmpty(Credential)))
        {
            return $"{key}: a TURN server needs Username and Credential, or SharedSecret (browsers refuse turn: URLs without them).";
        }

        return null;
    }
}
