using System.Collections.Concurrent;
using PersonaLive.Web.Live.Sessions;

namespace PersonaLive.Web.Live.Signalling;

/// <summary>Which protocol made a resource.</summary>
internal enum ResourceKind { Whip, Whep }

/// <summary>
/// One WHIP session or WHEP viewer resource (the <c>Location</c> a POST returned). <paramref name="ViewerId"/> is set for WHEP;
/// <paramref name="BearerToken"/> is the WHIP token that made it (later requests that carry a token must carry this one).
/// </summary>
internal sealed record SignallingResource(string Id, ResourceKind Kind, string SessionId, string? ViewerId, string ETag, string? RemoteUfrag,
    string? BearerToken, ShareLink? Link);

/// <summary>
/// The HTTP resources the WHIP and WHEP endpoints created, by their unguessable id; forgotten when the
/// session ends, the viewer's link closes, or the client DELETEs it. Thread-safe singleton.
/// </summary>
internal sealed class SignallingResources
{
    private readonly ConcurrentDictionary<string, SignallingResource> _resources = new(StringComparer.Ordinal);

    public SignallingResources(LiveSessionManager sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        sessions.SessionEnded += (sessionId, end) =>
        {
            foreach (var (id, r) in _resources)
                if (r.SessionId == sessionId) _resources.TryRemove(id, out _);
        };
    }

    public int Count => _resources.Count;

    /// <summary>Adds a resource with a fresh id and ETag.</summary>
    public SignallingResource Add(ResourceKind kind, string sessionId, string? viewerId, string? remoteUfrag, string? bearerToken, ShareLink? link)
    {
        var resource = new SignallingResource(ShareLinkRegistry.NewToken(), kind, sessionId, viewerId,
            "\"" + ShareLinkRegistry.NewToken()[..16] + "\"", remoteUfrag, bearerToken, link);
        _resources[resource.Id] = resource;
        if (link is not null) link.Closed += l => Remove(resource.Id);
        return resource;
    }

    public SignallingResource? Find(string id, ResourceKind kind) =>
        _resources.TryGetValue(id, out var r) && r.Kind == kind ? r : null;

    public bool Remove(string id) => _resources.TryRemove(id, out _);

    /// <summary>
    /// Lets go of WHEP viewers whose player vanished without DELETE (connection failed or closed, e.g. consent
    /// expired): their viewer place on the share link is freed. Returns how many.
    /// </summary>
    public async Task<int> SweepAsync(LiveSessionManager sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        var gone = 0;
        foreach (var (id, r) in _resources)
        {
            if (r.Kind != ResourceKind.Whep || r.ViewerId is null) continue;
            var state = sessions.Find(r.SessionId)?.ViewerState(r.ViewerId);
            if (state is not (null or Media.MediaPeerState.Failed or Media.MediaPeerState.Closed) || !_resources.TryRemove(id, out _)) continue;
            await sessions.LeaveAsync(r.ViewerId).ConfigureAwait(false);
            gone++;
        }

        return gone;
    }
}

/// <summary>Every few seconds, <see cref="SignallingResources.SweepAsync"/>: vanished WHEP players give their place back.</summary>
internal sealed class SignallingSweeper(SignallingResources resources, LiveSessionManager sessions, TimeProvider time) : Microsoft.Extensions.Hosting.BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false)) await resources.SweepAsync(sessions).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }
}
