using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace PersonaLive.Web.Live.Sessions;

/// <summary>
/// Share links for watching a live session at <c>/watch/{token}</c>. A token is 128 bits from the OS
/// CSPRNG, base64url (22 characters): unguessable, so possession is the permission. Links can be revoked
/// by the host; revoked and ended links are remembered for a while so a viewer gets "revoked" rather
/// than "unknown".
/// </summary>
internal sealed class ShareLinkRegistry(TimeProvider time)
{
    /// <summary>Length of a token: 16 bytes in unpadded base64url.</summary>
    public const int TokenLength = 22;

    private static readonly TimeSpan RememberClosed = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, ShareLink> _links = new(StringComparer.Ordinal);

    /// <summary>Creates a new link for a session.</summary>
    public ShareLink Create(string sessionId, int maxViewers)
    {
        var token = NewToken();
        var link = new ShareLink(token, sessionId, maxViewers);
        _links[token] = link;
        return link;
    }

    /// <summary>A fresh 128-bit random token.</summary>
    public static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    /// <summary>True for strings shaped like a token (checked before any lookup).</summary>
    public static bool IsWellFormed(string? token) =>
        token is { Length: TokenLength } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>Finds a link; null for unknown or malformed tokens.</summary>
    public ShareLink? Find(string? token) =>
        IsWellFormed(token) && _links.TryGetValue(token!, out var link) ? link : null;

    /// <summary>Revokes a link (viewers are dropped by the session owner).</summary>
    public void Revoke(ShareLink link, string reason = ShareLink.RevokedByHost)
    {
        ArgumentNullException.ThrowIfNull(link);
        link.Close(reason, time.GetUtcNow());
    }

    /// <summary>Closes every link of a session that ended.</summary>
    public void CloseAllFor(string sessionId)
    {
        foreach (var link in _links.Values.Where(l => l.SessionId == sessionId))
            link.Close(ShareLink.SessionEnded, time.GetUtcNow());
    }

    /// <summary>Forgets links closed long ago.</summary>
    public int Sweep()
    {
        var now = time.GetUtcNow();
        var removed = 0;
        foreach (var (token, link) in _links)
            if (link.ClosedAt is { } at && now - at > RememberClosed && _links.TryRemove(token, out _)) removed++;
        return removed;
    }

    public int Count => _links.Count;
}

/// <summary>One share link: token, its session, viewer accounting, and whether it was closed and why.</summary>
internal sealed class ShareLink(string token, string sessionId, int maxViewers)
{
    public const string RevokedByHost = "The host stopped sharing this live stream.";
    public const string SessionEnded = "This live stream has ended.";

    private readonly object _lock = new();
    private int _viewers;

    public string Token { get; } = token;
    public string SessionId { get; } = sessionId;
    public int MaxViewers { get; } = maxViewers;
    public string? ClosedReason { get; private set; }
    public DateTimeOffset? ClosedAt { get; private set; }
    public bool IsOpen { get { lock (_lock) return ClosedReason is null; } }
    public int ViewerCount { get { lock (_lock) return _viewers; } }

    /// <summary>Raised once when the link closes (revoked or session ended).</summary>
    public event Action<ShareLink>? Closed;

    /// <summary>Raised when the viewer count changes.</summary>
    public event Action<ShareLink>? ViewersChanged;

    /// <summary>Claims a viewer place; false when closed or full.</summary>
    public bool TryAddViewer()
    {
        lock (_lock)
        {
            if (ClosedReason is not null || _viewers >= MaxViewers) return false;
            _viewers++;
        }
        ViewersChanged?.Invoke(this);
        return true;
    }

    public void RemoveViewer()
    {
        lock (_lock)
        {
            if (_viewers == 0) return;
            _viewers--;
        }
        ViewersChanged?.Invoke(this);
    }

    internal void Close(string reason, DateTimeOffset at)
    {
        lock (_lock)
        {
            if (ClosedReason is not null) return;
            ClosedReason = reason;
            ClosedAt = at;
        }
        Closed?.Invoke(this);
    }
}
