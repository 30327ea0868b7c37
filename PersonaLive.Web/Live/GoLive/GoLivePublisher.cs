using System.Security.Cryptography;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Pipeline;

namespace PersonaLive.Web.Live.GoLive;

/// <summary>
/// Publishes one live session to one WHIP endpoint until stopped: each attempt makes a send-only peer
/// (our offer: VP8 + H.264, Opus when the host sends voice; we are the controlling ICE agent), POSTs it
/// (<see cref="WhipClient"/>), applies the answer and feeds the peer like a share-link viewer. When the
/// endpoint drops (ICE consent lost, DTLS closed, connect timeout, HTTP failure) the peer is removed, the
/// resource DELETEd and the next attempt waits per <see cref="ReconnectBackoff"/>; a permanent refusal
/// (wrong token, no common codec, unusable answer) ends in <see cref="GoLiveState.Failed"/> with the
/// server's reason. The token lives in this object only: never in a status, a log line or an exception text.
/// </summary>
internal sealed partial class GoLivePublisher : IAsyncDisposable
{
    private readonly LiveSession _session;
    private readonly IMediaPeerFactory _peers;
    private readonly WhipClient _whip;
    private readonly Uri _endpoint;
    private readonly string? _token;
    private readonly GoLiveTimeouts _timeouts;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private volatile GoLiveStatus _status;

    public GoLivePublisher(LiveSession session, IMediaPeerFactory peers, WhipClient whip, Uri endpoint, string? token,
        GoLiveTimeouts timeouts, TimeProvider time, ILogger log)
    {
        _session = session;
        _peers = peers;
        _whip = whip;
        _endpoint = endpoint;
        _token = token;
        _timeouts = timeouts;
        _time = time;
        _log = log;
        _status = new GoLiveStatus(GoLiveState.Connecting, endpoint.Authority, null, null, 0);
        _loop = Task.Run(RunAsync);
    }

    public GoLiveStatus Status => _status;

    /// <summary>Raised on every status change (any thread).</summary>
    public event Action<GoLiveStatus>? StatusChanged;

    private void Set(GoLiveState state, string? message = null, DateTimeOffset? retryAt = null, int attempts = 0)
    {
        _status = new GoLiveStatus(state, _endpoint.Authority, message, retryAt, attempts);
        StatusChanged?.Invoke(_status);
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        int failures = 0;
        while (!ct.IsCancellationRequested)
        {
            Set(GoLiveState.Connecting, attempts: failures);
            long started = _time.GetTimestamp();
            var (reason, retryAfter, permanent) = await AttemptAsync(ct).ConfigureAwait(false);
            if (ct.IsCancellationRequested) break;
            if (permanent)
            {
                LogFailed(_log, _session.Id, _endpoint.Authority, reason);
                Set(GoLiveState.Failed, reason);
                return;
            }

            failures = _time.GetElapsedTime(started) > ReconnectBackoff.StableAfter ? 1 : failures + 1;
            var delay = ReconnectBackoff.Delay(failures, retryAfter);
            LogDropped(_log, _session.Id, _endpoint.Authority, reason, delay.TotalSeconds);
            Set(GoLiveState.Reconnecting, reason, _time.GetUtcNow() + delay, failures);
            try { await Task.Delay(delay, _time, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
        }

        Set(GoLiveState.Off);
    }

    /// <summary>One publish, from offer to drop; returns why it ended.</summary>
    private async Task<(string Reason, TimeSpan? RetryAfter, bool Permanent)> AttemptAsync(CancellationToken ct)
    {
        string viewerId = "golive-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
        ILiveMediaPeer? peer = null;
        Uri? resource = null;
        bool attached = false;
        try
        {
            peer = _peers.CreatePeer(MediaPeerRole.Viewer, _session.Id);
            var states = new PeerStateWatch(peer);
            string offer = peer.CreateOffer(withVoice: _session.HasVoice);
            using (var post = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                post.CancelAfter(_timeouts.Request);
                var answer = await _whip.PublishAsync(_endpoint, _token, offer, post.Token).ConfigureAwait(false);
                resource = answer.Resource;
                if (answer.IceServers.Count > 0) LogIceServers(_log, _session.Id, answer.IceServers.Count);
                peer.ApplyAnswer(answer.Sdp);
            }

            _session.AttachViewer(viewerId, peer);
            attached = true;
            if (!await states.ConnectedAsync(_timeouts.Connect, _time, ct).ConfigureAwait(false))
            {
                return ($"ICE/DTLS did not connect within {_timeouts.Connect.TotalSeconds:0} s", null, false);
            }

            LogLive(_log, _session.Id, _endpoint.Authority);
            Set(GoLiveState.Live);
            var end = await states.DroppedAsync(ct).ConfigureAwait(false);
            return ($"the connection to the server was lost ({end.ToString().ToLowerInvariant()})", null, false);
        }
        catch (WhipRefusedException ex)
        {
            return (ex.Message, ex.RetryAfter, ex.Permanent);
        }
        catch (MediaNegotiationException ex)
        {
            return (ex.Message, null, resource is not null); // an unusable answer will not get better; no peer slot is not permanent
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return ($"the server did not answer within {_timeouts.Request.TotalSeconds:0} s", null, false);
        }
        catch (HttpRequestException ex)
        {
            return ($"the server could not be reached ({ex.HttpRequestError})", null, false);
        }
        catch (OperationCanceledException)
        {
            return ("stopped", null, false);
        }
        finally
        {
            if (attached) await _session.RemoveViewerAsync(viewerId).ConfigureAwait(false);
            else if (peer is not null) await peer.DisposeAsync().ConfigureAwait(false);
            if (resource is not null)
            {
                using var delete = new CancellationTokenSource(_timeouts.Request);
                int? status = await _whip.DeleteAsync(resource, _token, delete.Token).ConfigureAwait(false);
                LogDeleted(_log, _session.Id, _endpoint.Authority, status);
            }
        }
    }

    /// <summary>Stops publishing: the loop ends, the peer goes, the resource is DELETEd; the status is Off.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: live on {Host}")]
    private static partial void LogLive(ILogger logger, string sessionId, string host);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: publishing to {Host} dropped ({Reason}); next attempt in {Seconds} s")]
    private static partial void LogDropped(ILogger logger, string sessionId, string host, string reason, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId}: publishing to {Host} failed for good: {Reason}")]
    private static partial void LogFailed(ILogger logger, string sessionId, string host, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: the WHIP server announced {Count} ICE server(s); our host candidates are used")]
    private static partial void LogIceServers(ILogger logger, string sessionId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId}: DELETE of the WHIP resource on {Host} answered {Status}")]
    private static partial void LogDeleted(ILogger logger, string sessionId, string host, int? status);
}

/// <summary>How long a Go live attempt waits for the WHIP server's HTTP answer and for ICE/DTLS to connect.</summary>
internal sealed record GoLiveTimeouts(TimeSpan Request, TimeSpan Connect)
{
    public static readonly GoLiveTimeouts Default = new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(15));
}
