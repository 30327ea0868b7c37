using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Hosting;
using PersonaLive.Web.Live.Diagnostics;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Pipeline;

namespace PersonaLive.Web.Live.Sessions;

/// <summary>
/// The registry of live sessions in this process: starts them (engine + host peer behind an admission
/// ticket), adds share-link viewers, ends them on request, failure or idleness, and frees everything
/// on end (engine, peers, buffers, slot, links). Singleton; thread-safe. Nothing here blocks on a task:
/// clean-ups that a synchronous caller cannot await (a failed start, a failed viewer join, a revoked link's
/// viewers, a session that ended itself) run as tracked tasks whose failures are logged, and
/// <see cref="DisposeAsync"/> awaits them.
/// </summary>
internal sealed partial class LiveSessionManager : IAsyncDisposable
{
    private readonly IAnimationEngineFactory engines;
    private readonly IMediaPeerFactory peers;
    private readonly AdmissionController admission;
    private readonly ShareLinkRegistry links;
    private readonly LiveMetrics metrics;
    private readonly IOptions<LimitsOptions> limits;
    private readonly TimeProvider time;
    private readonly ILoggerFactory loggers;

    public LiveSessionManager(IAnimationEngineFactory engines, IMediaPeerFactory peers, AdmissionController admission, ShareLinkRegistry links,
        LiveMetrics metrics, IOptions<LimitsOptions> limits, TimeProvider time, ILoggerFactory loggers)
    {
        this.engines = engines;
        this.peers = peers;
        this.admission = admission;
        this.links = links;
        this.metrics = metrics;
        this.limits = limits;
        this.time = time;
        this.loggers = loggers;
        _log = loggers.CreateLogger<LiveSessionManager>();
        metrics.ObserveRates(CurrentRates); // rate gauges read the live sessions at scrape time
        metrics.ObserveTransport(() => (peers as PersonaLive.Web.Live.Media.Rtc.RtcMediaPeerFactory)?.Server?.GetTotals(),
            () => _sessions.Values.Select(e => (e.Session.Id, e.Session.GetTransportStats())).ToList());
    }

    private readonly ConcurrentDictionary<string, Entry> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (string SessionId, ShareLink Link)> _viewers = new(StringComparer.Ordinal);
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<Task, string> _background = new();

    /// <summary>Raised for every glass-to-glass sample a page reports: (session id, ms).</summary>
    public event Action<string, double>? GlassToGlassReported;

    /// <summary>Raised after a session ended and was freed: (session id, why, with the message for people).</summary>
    public event Action<string, SessionEnd>? SessionEnded;

    public int ActiveCount => _sessions.Count;
    public int ViewerCount => _viewers.Count;
    public IMediaPeerFactory Peers => peers;
    public AdmissionController Admission => admission;
    public TimeSpan IdleTimeout => TimeSpan.FromSeconds(limits.Value.IdleTimeoutSeconds);

    /// <summary>Ids of the live sessions now.</summary>
    public IReadOnlyList<string> FindAllIds() => _sessions.Keys.ToList();

    /// <summary>Summed fps in/out and bitrate of all live sessions (metrics gauges).</summary>
    public (double FpsIn, double FpsOut, double Kbps) CurrentRates()
    {
        double fin = 0, fout = 0, kbps = 0;
        foreach (var e in _sessions.Values)
        {
            var s = e.Session.GetStats();
            fin += s.FpsIn; fout += s.FpsOut; kbps += s.BitrateKbps;
        }
        return (fin, fout, kbps);
    }

    public LiveSession? Find(string sessionId) => _sessions.TryGetValue(sessionId, out var e) ? e.Session : null;

    /// <summary>
    /// Starts a session for the holder of <paramref name="ticket"/>: creates the engine and the host peer,
    /// answers the offer. On failure everything created is freed (the ticket too) and the error rethrown.
    /// </summary>
    public (LiveSession Session, string AnswerSdp) Start(AdmissionTicket ticket, PreparedPortrait portrait, string offerSdp)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var id = ShareLinkRegistry.NewToken()[..12];
        IAnimationEngine? engine = null;
        ILiveMediaPeer? peer = null;
        LiveSession? session = null;
        using var scope = _log.BeginScope(new SessionLogScope(id)); // and what runs from here (tasks, timers) inherits it
        try
        {
            engine = engines.CreateEngine();
            peer = peers.CreatePeer(MediaPeerRole.Host, id);
            session = new LiveSession(id, engine, peer, metrics, time, new SessionLogger<LiveSession>(loggers.CreateLogger<LiveSession>(), id));
            // Registered and subscribed before Start: a session that fails while starting still reaches EndAsync.
            _sessions[id] = new Entry(session, ticket);
            metrics.SessionOpened();
            session.Ended += (s, end) => Track(EndAsync(s.Id, end), s.Id, "ending");
            session.GlassToGlassMeasured += ms => GlassToGlassReported?.Invoke(id, ms);
            var answer = session.Start(offerSdp, portrait);
            metrics.SessionsStarted.Add(1);
            LogStarted(_log, id, engine.Name);
            return (session, answer);
        }
        catch
        {
            if (session is null)
            {
                if (peer is not null) Track(peer.DisposeAsync().AsTask(), id, "freeing the peer of a failed start");
                engine?.Dispose();
                ticket.Dispose();
            }
            else if (_sessions.TryRemove(id, out _))
            {
                metrics.SessionClosed();
                ticket.Dispose(); // the slot is free at once; the session's own clean-up follows, tracked
                Track(session.DisposeAsync().AsTask(), id, "freeing a failed start");
            }
            // else: the session ended itself while starting, and EndAsync (tracked) frees it and the ticket.
            throw;
        }
    }

    /// <summary>Ends a session the person stopped (or the page on their behalf) and frees everything it held. Idempotent.</summary>
    public Task EndAsync(string sessionId, string reason) => EndAsync(sessionId, new SessionEnd(SessionEndReason.Stopped, reason));

    /// <summary>Ends a session and frees everything it held; <paramref name="end"/> says why. Idempotent.</summary>
    public async Task EndAsync(string sessionId, SessionEnd end)
    {
        ArgumentNullException.ThrowIfNull(end);
        if (!_sessions.TryRemove(sessionId, out var entry)) return; // the first to end it decided the reason
        using var scope = _log.BeginScope(new SessionLogScope(sessionId));
        metrics.SessionClosed();
        metrics.EndingChanged(1);
        links.CloseAllFor(sessionId);
        foreach (var (viewerId, v) in _viewers.Where(kv => kv.Value.SessionId == sessionId).ToList())
            if (_viewers.TryRemove(viewerId, out _)) v.Link.RemoveViewer();
        try { await entry.Session.DisposeAsync().ConfigureAwait(false); }
        catch (Exception ex) when (ex is not OutOfMemoryException) { LogDisposeFailed(_log, ex, sessionId); }
        finally
        {
            entry.Ticket.Dispose();
            metrics.EndingChanged(-1);
        }
        LogEnded(_log, sessionId, end.Reason, end.Message);
        SessionEnded?.Invoke(sessionId, end);
    }

    /// <summary>Creates a share link for a live session; revoking it drops its viewers.</summary>
    public ShareLink Share(string sessionId)
    {
        if (!_sessions.ContainsKey(sessionId)) throw new InvalidOperationException("The session is not live.");
        var link = links.Create(sessionId, limits.Value.MaxViewersPerSession);
        link.Closed += l => Track(DropViewersAsync(l), sessionId, "dropping a closed link's viewers");
        return link;
    }

    /// <summary>Revokes a share link; completes when its viewers are dropped (their peers freed).</summary>
    public Task RevokeAsync(ShareLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        links.Revoke(link);
        return DropViewersAsync(link); // idempotent with the Closed handler's run: each viewer is removed once
    }

    /// <summary>Joins a viewer through a share link: a send-only peer fed with the session's encoded output.</summary>
    public ViewerJoin JoinAsViewer(string? token, string offerSdp)
    {
        var link = links.Find(token);
        if (link is null) return ViewerJoin.Fail(ViewerJoinStatus.Unknown, "This share link is not valid.");
        if (!link.IsOpen) return ViewerJoin.Fail(ViewerJoinStatus.Closed, link.ClosedReason!);
        if (Find(link.SessionId) is not { } session) return ViewerJoin.Fail(ViewerJoinStatus.Closed, ShareLink.SessionEnded);
        if (!peers.IsAvailable) return ViewerJoin.Fail(ViewerJoinStatus.Unavailable, peers.UnavailableReason!);
        if (!link.TryAddViewer()) return ViewerJoin.Fail(ViewerJoinStatus.Full, "This live stream has as many viewers as it allows. Try again later.");
        var viewerId = ShareLinkRegistry.NewToken()[..12];
        ILiveMediaPeer? peer = null;
        try
        {
            peer = peers.CreatePeer(MediaPeerRole.Viewer, session.Id);
            var answer = session.AddViewer(viewerId, peer, offerSdp);
            _viewers[viewerId] = (session.Id, link);
            return new ViewerJoin(ViewerJoinStatus.Joined, null, viewerId, answer, link);
        }
        catch (Exception ex)
        {
            // Whatever failed, the viewer never joined: its slot on the link is given back.
            _viewers.TryRemove(viewerId, out _);
            link.RemoveViewer();
            if (peer is not null) Track(peer.DisposeAsync().AsTask(), session.Id, "freeing a failed viewer's peer");
            if (ex is not MediaNegotiationException) LogViewerJoinFailed(_log, ex, session.Id);
            return ViewerJoin.Fail(ViewerJoinStatus.Unavailable,
                ex is MediaNegotiationException ? ex.Message : "Joining this live stream failed. Try again later.");
        }
    }

    /// <summary>A viewer left (page closed or navigated away).</summary>
    public async Task LeaveAsync(string viewerId)
    {
        if (!_viewers.TryRemove(viewerId, out var v)) return;
        v.Link.RemoveViewer();
        if (Find(v.SessionId) is { } session) await session.RemoveViewerAsync(viewerId).ConfigureAwait(false);
    }

    /// <summary>Ends sessions without camera frames or user actions for longer than the idle timeout.</summary>
    public async Task<int> SweepIdleAsync()
    {
        var idle = _sessions.Values.Where(e => e.Session.IdleFor > IdleTimeout).Select(e => e.Session.Id).ToList();
        foreach (var id in idle) await EndAsync(id, new SessionEnd(SessionEndReason.Idle, "The session ended after being idle.")).ConfigureAwait(false);
        links.Sweep();
        return idle.Count;
    }

    private async Task DropViewersAsync(ShareLink link)
    {
        foreach (var (viewerId, v) in _viewers.Where(kv => ReferenceEquals(kv.Value.Link, link)).ToList())
        {
            if (!_viewers.TryRemove(viewerId, out _)) continue;
            link.RemoveViewer();
            if (Find(v.SessionId) is { } session) await session.RemoveViewerAsync(viewerId).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _sessions.Keys.ToList()) await EndAsync(id, new SessionEnd(SessionEndReason.ServerShutdown, "The server is shutting down.")).ConfigureAwait(false);
        await Task.WhenAll(_background.Keys.ToList()).ConfigureAwait(false); // Track logged every failure already
    }

    /// <summary>Keeps <paramref name="task"/> until it completes, logging its failure; DisposeAsync awaits what is left.</summary>
    private void Track(Task task, string sessionId, string what)
    {
        if (task.IsCompletedSuccessfully) return;
        _background[task] = what;
        _ = task.ContinueWith(t =>
        {
            _background.TryRemove(t, out _);
            if (t.Exception is { } ex) LogBackgroundFailed(_log, ex.GetBaseException(), sessionId, what);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Clean-ups still running (tests wait for them).</summary>
    internal int PendingCleanups => _background.Count;

    private sealed record Entry(LiveSession Session, AdmissionTicket Ticket);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} started with engine {Engine}")]
    private static partial void LogStarted(ILogger logger, string sessionId, string engine);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} ended ({Reason}): {Message}")]
    private static partial void LogEnded(ILogger logger, string sessionId, SessionEndReason reason, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: {What} failed")]
    private static partial void LogBackgroundFailed(ILogger logger, Exception ex, string sessionId, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: a viewer's join failed")]
    private static partial void LogViewerJoinFailed(ILogger logger, Exception ex, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: freeing resources failed")]
    private static partial void LogDisposeFailed(ILogger logger, Exception ex, string sessionId);
}

/// <summary>Outcome of a viewer joining through a share link.</summary>
internal enum ViewerJoinStatus { Joined, Unknown, Closed, Full, Unavailable }

/// <summary>A viewer join result: the answer SDP, or a message for the watch page.</summary>
internal sealed record ViewerJoin(ViewerJoinStatus Status, string? Error, string? ViewerId, string? AnswerSdp, ShareLink? Link)
{
    public static ViewerJoin Fail(ViewerJoinStatus status, string error) => new(status, error, null, null, null);
}
