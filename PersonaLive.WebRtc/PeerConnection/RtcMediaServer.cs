using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using PersonaLive.WebRtc.Dtls;
using PersonaLive.WebRtc.Ice;
using PersonaLive.WebRtc.Transport;

namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// The process-wide media endpoint: owns the UDP sockets (one port; one socket per local address, see <see cref="MediaSocketSet"/>) and the DTLS certificate, and
/// demultiplexes datagrams to peer connections (RFC 7983 first byte; STUN requests by the local part of
/// USERNAME, everything else by the remote address learned from authenticated STUN). Create one per
/// process (the web app registers it as a singleton); tests and the CLI client create their own.
/// </summary>
public sealed class RtcMediaServer : IAsyncDisposable, IDisposable
{
    private readonly RtcOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly MediaSocketSet _sockets;
    private readonly ConcurrentDictionary<string, RtcPeerConnection> _byUfrag = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<IPEndPoint, RtcPeerConnection> _byAddress = new();
    private long _unknownSource;
    private long _malformed;
    private readonly object _retiredLock = new();
    private MediaPortTotals _retired = new();
    private volatile bool _disposed;

    public RtcMediaServer(RtcOptions options, ILoggerFactory loggerFactory)
    {
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<RtcMediaServer>();
        Certificate = DtlsCertificate.Generate();
        HandshakePool = new DtlsHandshakePool(Math.Max(1, options.MaxConcurrentDtlsHandshakes));
        var bind = IPAddress.Parse(options.BindAddress);
        var gathered = LocalAddresses.IsWildcard(bind) ? LocalAddresses.Gather() : [];
        var configured = options.EffectiveAnnouncedAddresses.Select(IPAddress.Parse).ToList();
        _sockets = new MediaSocketSet(bind, gathered.Concat(configured.Where(LocalAddresses.IsUsable)), options.MediaPort, OnDatagram,
            loggerFactory.CreateLogger<UdpMediaSocket>());
        var bound = _sockets.LocalEndPoints.Select(e => e.Address).ToList();
        int port = _sockets.Primary.Port;
        string why = configured.Count > 0
            ? "configured by Rtc:AnnouncedAddresses"
            : LocalAddresses.IsWildcard(bind) ? "every usable local address, gathered at start" : "the address of Rtc:BindAddress";
        Candidates = (configured.Count > 0 ? configured : bound).Select(a => new IPEndPoint(a, port)).ToList();
        _logger.LogInformation("WebRTC media server listening on UDP {EndPoints}; announcing host candidates {Candidates} ({Why})",
            string.Join(", ", _sockets.LocalEndPoints), string.Join(", ", Candidates), why);
    }

    /// <summary>The first bound socket address (port resolved when <see cref="RtcOptions.MediaPort"/> is 0; all sockets share it).</summary>
    public IPEndPoint LocalEndPoint => _sockets.Primary;

    /// <summary>Every bound socket address (one per local address when bound to a wildcard).</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints => _sockets.LocalEndPoints;

    /// <summary>Host candidates put into answers/offers.</summary>
    public IReadOnlyList<IPEndPoint> Candidates { get; }

    public DtlsCertificate Certificate { get; }

    /// <summary>The bounded threads that run this port's DTLS handshakes (its counters measure threads per peer).</summary>
    public DtlsHandshakePool HandshakePool { get; }

    public int PeerConnectionCount => _byUfrag.Count;

    /// <summary>Datagrams from addresses no session has authenticated (dropped).</summary>
    public long DroppedUnknownSource => Interlocked.Read(ref _unknownSource);

    /// <summary>Datagrams that were not STUN/DTLS/RTP/RTCP or failed to parse (dropped).</summary>
    public long DroppedMalformed => Interlocked.Read(ref _malformed);

    /// <summary>
    /// Exceptions that escaped a parser or session into the socket receive loop (caught there, logged,
    /// datagram dropped). Every malformed input is supposed to be rejected and counted by its parser, so
    /// anything but 0 is a bug; tests assert it.
    /// </summary>
    public long SocketHandlerErrors => _sockets.HandlerErrors;

    /// <summary>
    /// Creates a peer connection bound to this server's socket and certificate. <paramref name="logger"/>, when
    /// given, takes every line the connection and its DTLS session log (the caller tags it, e.g. with a session id).
    /// </summary>
    public RtcPeerConnection CreatePeerConnection(ILogger? logger = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_byUfrag.Count >= _options.MaxPeerConnections)
        {
            throw new InvalidOperationException($"The media server already has {_options.MaxPeerConnections} peer connections.");
        }

        var pc = new RtcPeerConnection(this, _options, logger ?? _loggerFactory.CreateLogger<RtcPeerConnection>());
        _byUfrag[pc.LocalUfrag] = pc;
        return pc;
    }

    internal void Send(ReadOnlySpan<byte> datagram, IPEndPoint destination) => _sockets.Send(datagram, destination);

    /// <summary>Answers through the socket the request arrived on (a STUN response must come from the request's destination).</summary>
    internal static void Reply(ReadOnlySpan<byte> datagram, IPEndPoint destination, UdpMediaSocket via) => via.Send(datagram, destination);

    /// <summary>Whether one of our sockets can send to <paramref name="remote"/> (same address family, or a dual-mode IPv6 wildcard).</summary>
    internal bool CanReach(IPEndPoint remote) => _sockets.LocalEndPoints.Any(l => l.AddressFamily == remote.AddressFamily
        || (l.Address.Equals(System.Net.IPAddress.IPv6Any) && remote.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork));

    internal void Bind(IPEndPoint remote, RtcPeerConnection pc) => _byAddress[remote] = pc;

    /// <summary>The selected pair's local side: all later datagrams to <paramref name="remote"/> leave through <paramref name="via"/>.</summary>
    internal void Route(IPEndPoint remote, UdpMediaSocket via) => _sockets.Route(remote, via);

    /// <summary>Totals over the port's life: its own drops plus every peer connection's, live and closed.</summary>
    public MediaPortTotals GetTotals()
    {
        MediaPortTotals totals;
        lock (_retiredLock)
        {
            totals = _retired;
        }

        foreach (var pc in _byUfrag.Values)
        {
            totals = totals.Plus(pc.GetStats());
        }

        return totals with
        {
            DroppedMalformed = totals.DroppedMalformed + DroppedMalformed,
            DroppedUnknownSource = totals.DroppedUnknownSource + DroppedUnknownSource,
            HandlerErrors = SocketHandlerErrors,
        };
    }

    internal void Remove(RtcPeerConnection pc)
    {
        if (_byUfrag.TryRemove(pc.LocalUfrag, out _))
        {
            var last = pc.GetStats(); // keep a closed session's counts in the totals
            lock (_retiredLock)
            {
                _retired = _retired.Plus(last);
            }
        }

        foreach (var kv in _byAddress)
        {
            if (ReferenceEquals(kv.Value, pc))
            {
                _byAddress.TryRemove(kv.Key, out _);
                _sockets.Unroute(kv.Key);
            }
        }
    }

    private void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint source, UdpMediaSocket via)
    {
        var kind = PacketClassifier.Classify(datagram);
        if (kind == PacketKind.Unknown)
        {
            Interlocked.Increment(ref _malformed);
            return;
        }

        if (kind == PacketKind.Stun)
        {
            if (!StunMessage.TryParse(datagram, out var message))
            {
                Interlocked.Increment(ref _malformed);
                return;
            }

            if (message!.MessageType == StunConstants.BindingRequest)
            {
                string? username = message.Username;
                int colon = username?.IndexOf(':') ?? -1;
                if (colon > 0 && _byUfrag.TryGetValue(username![..colon], out var target))
                {
                    target.HandleStunRequest(message, source, via);
                    return;
                }

                Interlocked.Increment(ref _unknownSource);
                return;
            }

            if (_byAddress.TryGetValue(source, out var owner))
            {
                owner.HandleStunResponse(message, source);
            }

            return;
        }

        if (_byAddress.TryGetValue(source, out var pc))
        {
            pc.HandleDatagram(kind, datagram, source);
            return;
        }

        Interlocked.Increment(ref _unknownSource);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var pc in _byUfrag.Values)
        {
            pc.Close();
        }

        _sockets.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
