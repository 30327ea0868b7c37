using System.Collections.Concurrent;
using PersonaLive.Web.Live.Diagnostics;
using PersonaLive.Web.Live.Sessions;

namespace PersonaLive.Web.Live.GoLive;

/// <summary>
/// "Go live": the Studio pushes a session's animated output (and voice) to a WHIP URL and bearer token the
/// person enters (a streaming platform's ingest), one <see cref="GoLivePublisher"/> per session. The token
/// is taken once and kept here, server-side: the page never gets it back and no log line carries it (the
/// host is logged, not the URL, which may hold a stream key). Publishing stops with the session. Singleton.
/// </summary>
internal sealed class GoLiveService : IAsyncDisposable
{
    private readonly LiveSessionManager _sessions;
    private readonly WhipClient _whip;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ConcurrentDictionary<string, GoLivePublisher> _publishers = new(StringComparer.Ordinal);

    public GoLiveService(LiveSessionManager sessions, TimeProvider time, ILoggerFactory loggers)
    {
        _sessions = sessions;
        _time = time;
        _loggers = loggers;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5), AllowAutoRedirect = true });
        _whip = new WhipClient(_http);
        sessions.SessionEnded += (id, end) => StopInBackground(id);
    }

    /// <summary>Timeouts of each attempt (tests shorten them).</summary>
    public GoLiveTimeouts Timeouts { get; set; } = GoLiveTimeouts.Default;

    /// <summary>Raised on every status change of a session's publish: (session id, status). Any thread.</summary>
    public event Action<string, GoLiveStatus>? StatusChanged;

    public GoLiveStatus Status(string sessionId) => _publishers.TryGetValue(sessionId, out var p) ? p.Status : GoLiveStatus.Off;

    /// <summary>Checks what the person typed: null when usable, else what is wrong (for the panel).</summary>
    public static string? Validate(string? url, out Uri? endpoint)
    {
        endpoint = null;
        if (string.IsNullOrWhiteSpace(url)) return "Enter the WHIP URL of your streaming service.";
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || string.IsNullOrEmpty(uri.Host))
            return "The WHIP URL must be an http:// or https:// address.";
        endpoint = uri;
        return null;
    }

    /// <summary>Starts (or restarts) publishing session <paramref name="sessionId"/> to <paramref name="url"/>; returns an error for people, or null.</summary>
    public async Task<string?> StartAsync(string sessionId, string? url, string? token)
    {
        if (Validate(url, out var endpoint) is { } problem) return problem;
        if (_sessions.Find(sessionId) is not { } session) return "The session is not live.";
        if (!_sessions.Peers.IsAvailable) return _sessions.Peers.UnavailableReason;
        await StopAsync(sessionId).ConfigureAwait(false);
        var log = new SessionLogger<GoLivePublisher>(_loggers.CreateLogger<GoLivePublisher>(), sessionId);
        var publisher = new GoLivePublisher(session, _sessions.Peers, _whip, endpoint!, string.IsNullOrWhiteSpace(token) ? null : token.Trim(),
            Timeouts, _time, log);
        publisher.StatusChanged += s => StatusChanged?.Invoke(sessionId, s);
        _publishers[sessionId] = publisher;
        StatusChanged?.Invoke(sessionId, publisher.Status);
        return null;
    }

    /// <summary>Stops publishing (DELETE sent, peer freed). Idempotent.</summary>
    public async Task StopAsync(string sessionId)
    {
        if (!_publishers.TryRemove(sessionId, out var publisher)) return;
        await publisher.DisposeAsync().ConfigureAwait(false);
        StatusChanged?.Invoke(sessionId, GoLiveStatus.Off);
    }

    private void StopInBackground(string sessionId) => _ = StopAsync(sessionId); // the publisher logs its own end; StopAsync does not throw

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _publishers.Keys.ToList()) await StopAsync(id).ConfigureAwait(false);
        _http.Dispose();
    }
}
