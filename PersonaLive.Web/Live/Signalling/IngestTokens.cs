using System.Collections.Concurrent;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Live.Sessions;

namespace PersonaLive.Web.Live.Signalling;

/// <summary>
/// WHIP bearer tokens (RFC 9725 section 4.5 authentication): the Studio's "Drive from OBS / another app"
/// panel makes one bound to the portrait chosen there; a publisher presenting it starts a live session
/// animating that portrait, and the panel is told so it can show the output. A token is 128 random
/// bits (like share links): possession is the permission. It lasts until revoked (the panel revokes it
/// when its page closes or it makes a new one). Thread-safe singleton.
/// </summary>
internal sealed class IngestTokens
{
    private readonly ConcurrentDictionary<string, IngestToken> _tokens = new(StringComparer.Ordinal);

    /// <summary>Raised after a WHIP publisher started a session with a token: (token, session id).</summary>
    public event Action<IngestToken, string>? SessionStarted;

    /// <summary>A new token for <paramref name="portrait"/>.</summary>
    public IngestToken Create(PreparedPortrait portrait)
    {
        var token = new IngestToken(ShareLinkRegistry.NewToken(), portrait);
        _tokens[token.Value] = token;
        return token;
    }

    /// <summary>The live token with this value; null for unknown, malformed or revoked ones.</summary>
    public IngestToken? Find(string? value) =>
        ShareLinkRegistry.IsWellFormed(value) && _tokens.TryGetValue(value!, out var t) && !t.IsRevoked ? t : null;

    /// <summary>Whether this value was a token that has been revoked (so the answer can say so).</summary>
    public bool WasRevoked(string? value) => value is not null && _tokens.TryGetValue(value, out var t) && t.IsRevoked;

    /// <summary>Revokes a token: new publishes with it are refused; a session it started runs on until it ends.</summary>
    public void Revoke(IngestToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        token.IsRevoked = true;
    }

    internal void OnSessionStarted(IngestToken token, string sessionId)
    {
        token.SessionId = sessionId;
        SessionStarted?.Invoke(token, sessionId);
    }
}

/// <summary>One WHIP bearer token and the portrait it animates (replaced when the Studio picks another).</summary>
internal sealed class IngestToken(string value, PreparedPortrait portrait)
{
    private volatile PreparedPortrait _portrait = portrait;
    private volatile bool _revoked;
    private volatile string? _sessionId;

    public string Value { get; } = value;

    public PreparedPortrait Portrait { get => _portrait; set => _portrait = value ?? throw new ArgumentNullException(nameof(value)); }

    public bool IsRevoked { get => _revoked; internal set => _revoked = value; }

    /// <summary>The session the latest publish with this token started (null before the first).</summary>
    public string? SessionId { get => _sessionId; internal set => _sessionId = value; }
}
