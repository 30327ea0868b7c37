using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace PersonaLive.WebRtc.Transport;

/// <summary>
/// The media server's UDP sockets, one per local address, all on the same port, and the choice of which
/// one sends a datagram. A peer accepts a STUN response, a DTLS record or an SRTP packet only from the
/// address it sent its check to (RFC 8445 section 7.2.5.2.1: the response's source must equal the
/// request's destination, or the check fails), so a wildcard socket, where the kernel picks the source
/// address, breaks every peer that reaches the server on an address other than the kernel's pick.
/// With a socket per address, the reply leaves through the socket the request came in on.
/// </summary>
internal sealed class MediaSocketSet : IDisposable
{
    private readonly List<UdpMediaSocket> _sockets = new();
    private readonly ConcurrentDictionary<IPEndPoint, UdpMediaSocket> _routes = new();

    /// <summary>
    /// Binds <paramref name="bind"/> when it is a specific address; for a wildcard, binds every address in
    /// <paramref name="localAddresses"/> (one that is not, or no longer, a local address is logged and left
    /// out; a port in use on any address fails the whole set, since the port is the server's). The first
    /// socket picks the port when <paramref name="port"/> is 0; the others use the same port.
    /// </summary>
    public MediaSocketSet(IPAddress bind, IEnumerable<IPAddress> localAddresses, int port, UdpMediaSocket.DatagramHandler handler, ILogger logger)
    {
        var addresses = LocalAddresses.IsWildcard(bind) ? localAddresses.Distinct().ToList() : [bind];
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                BindAll(addresses, port, handler, logger);
                return;
            }
            catch (SocketException e) when (port == 0 && attempt < 5 && e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                Dispose(); // the free port the first socket drew is taken on another address: draw again
                _sockets.Clear();
            }
            catch
            {
                Dispose();
                throw;
            }
        }
    }

    private void BindAll(List<IPAddress> addresses, int port, UdpMediaSocket.DatagramHandler handler, ILogger logger)
    {
        foreach (var address in addresses)
        {
            try
            {
                var socket = new UdpMediaSocket(new IPEndPoint(address, port), handler, logger);
                port = socket.LocalEndPoint.Port;
                _sockets.Add(socket);
            }
            catch (SocketException e) when (e.SocketErrorCode != SocketError.AddressAlreadyInUse && addresses.Count > 1)
            {
                logger.LogInformation("Media socket not opened on {Address}:{Port}: {Error}", address, port, e.SocketErrorCode);
            }
        }

        if (_sockets.Count == 0)
        {
            throw new SocketException((int)SocketError.AddressNotAvailable, $"No media socket could be bound on port {port} (addresses: {string.Join(", ", addresses)}).");
        }
    }

    /// <summary>The bound sockets' addresses, in binding order.</summary>
    public IReadOnlyList<IPEndPoint> LocalEndPoints => _sockets.Select(s => s.LocalEndPoint).ToList();

    /// <summary>The first socket's address (the port every socket shares).</summary>
    public IPEndPoint Primary => _sockets[0].LocalEndPoint;

    /// <summary>Handler exceptions caught by all receive loops.</summary>
    public long HandlerErrors => _sockets.Sum(s => s.HandlerErrors);

    /// <summary>From now on, datagrams to <paramref name="remote"/> leave through <paramref name="via"/> (the socket its selected check arrived on).</summary>
    public void Route(IPEndPoint remote, UdpMediaSocket via) => _routes[remote] = via;

    /// <summary>Forgets the route of <paramref name="remote"/>.</summary>
    public void Unroute(IPEndPoint remote) => _routes.TryRemove(remote, out _);

    /// <summary>Sends through the routed socket, or else the best-matching one (<see cref="ChooseFor"/>).</summary>
    public void Send(ReadOnlySpan<byte> datagram, IPEndPoint destination) =>
        (_routes.TryGetValue(destination, out var via) ? via : ChooseFor(destination)).Send(datagram, destination);

    /// <summary>
    /// For a destination with no route yet (our own checks as the offerer): a socket of the same family,
    /// loopback for a loopback destination, else the first non-loopback one, else the first.
    /// </summary>
    private UdpMediaSocket ChooseFor(IPEndPoint destination)
    {
        bool loopback = IPAddress.IsLoopback(destination.Address);
        UdpMediaSocket? sameFamily = null;
        foreach (var socket in _sockets)
        {
            var local = socket.LocalEndPoint.Address;
            if (local.AddressFamily != destination.AddressFamily)
            {
                continue;
            }

            if (IPAddress.IsLoopback(local) == loopback || LocalAddresses.IsWildcard(local))
            {
                return socket;
            }

            sameFamily ??= socket;
        }

        return sameFamily ?? _sockets[0];
    }

    public void Dispose()
    {
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
    }
}
