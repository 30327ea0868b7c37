using Microsoft.Extensions.Options;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.Web.Live.Diagnostics;

namespace PersonaLive.Web.Live.Media.Rtc;

/// <summary>
/// Binds the live pipeline's <see cref="IMediaPeerFactory"/> seam to PersonaLive.WebRtc: one
/// <see cref="RtcMediaServer"/> per process (the one shared UDP media port), one
/// <see cref="RtcPeerConnection"/> per host or viewer. If the media port cannot be opened the factory
/// stays unavailable and says why, so the Studio explains it instead of the process failing.
/// </summary>
internal sealed class RtcMediaPeerFactory : IMediaPeerFactory, IAsyncDisposable
{
    private readonly RtcMediaServer? _server;
    private readonly ILoggerFactory _loggers;
    private readonly RtcOptions _options;

    public RtcMediaPeerFactory(IOptions<RtcOptions> options, ILoggerFactory loggers)
    {
        _loggers = loggers;
        _options = options.Value;
        try
        {
            _server = new RtcMediaServer(options.Value, loggers);
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or FormatException or ArgumentException)
        {
            UnavailableReason = $"Live video is unavailable: the media port UDP {options.Value.MediaPort} could not be opened ({ex.Message}).";
            loggers.CreateLogger<RtcMediaPeerFactory>().LogError(ex, "Cannot open the WebRTC media socket on UDP {Port}", options.Value.MediaPort);
        }
    }

    public bool IsAvailable => _server is not null;

    public string? UnavailableReason { get; }

    /// <summary>The media server (null when unavailable); exposed for diagnostics and tests.</summary>
    public RtcMediaServer? Server => _server;

    public ILiveMediaPeer CreatePeer(MediaPeerRole role) => CreatePeer(role, sessionId: null);

    /// <summary>A peer whose lines, and its connection's (ICE, DTLS, SDP), carry <paramref name="sessionId"/>.</summary>
    public ILiveMediaPeer CreatePeer(MediaPeerRole role, string? sessionId)
    {
        if (_server is null) throw new MediaNegotiationException(UnavailableReason ?? "Live video is unavailable.");
        try
        {
            if (sessionId is null) return new RtcMediaPeer(_server.CreatePeerConnection(), role, _loggers.CreateLogger<RtcMediaPeer>(), _options);
            var connectionLog = new SessionLogger<RtcPeerConnection>(_loggers.CreateLogger<RtcPeerConnection>(), sessionId);
            return new RtcMediaPeer(_server.CreatePeerConnection(connectionLog), role,
                new SessionLogger<RtcMediaPeer>(_loggers.CreateLogger<RtcMediaPeer>(), sessionId), _options);
        }
        catch (InvalidOperationException ex)
        {
            throw new MediaNegotiationException("The media server cannot take another connection right now.", ex);
        }
    }

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;
}
