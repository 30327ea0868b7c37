using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace PersonaLive.WebRtc.Transport;

/// <summary>
/// One UDP socket of a media server, bound to one local address (or a wildcard): a dedicated receive
/// thread hands every datagram to a handler together with this socket, so that the answer can leave
/// from the address the request arrived on (exceptions are caught, logged and counted, never escaping
/// the loop); sends are thread-safe. The media server keeps one per local address, a handful in all:
/// the threads are per address, never per connection.
/// </summary>
internal sealed class UdpMediaSocket : IDisposable
{
    public delegate void DatagramHandler(ReadOnlySpan<byte> datagram, IPEndPoint source, UdpMediaSocket via);

    private readonly Socket _socket;
    private readonly ILogger _logger;
    private readonly DatagramHandler _handler;
    private readonly Thread _thread;
    private volatile bool _disposed;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<IPEndPoint, SocketAddress> _destinations = new();

    public UdpMediaSocket(IPEndPoint bind, DatagramHandler handler, ILogger logger)
    {
        _handler = handler;
        _logger = logger;
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        if (bind.AddressFamily == AddressFamily.InterNetworkV6)
        {
            _socket.DualMode = false;
        }

        _socket.ReceiveBufferSize = 4 * 1024 * 1024;
        _socket.SendBufferSize = 4 * 1024 * 1024;
        _socket.Bind(bind);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _thread = new Thread(ReceiveLoop) { IsBackground = true, Name = $"udp-media-{LocalEndPoint.Port}" };
        _thread.Start();
    }

    public IPEndPoint LocalEndPoint { get; }

    private long _handlerErrors;

    /// <summary>Exceptions the datagram handler let escape (caught here, logged, packet dropped); must stay 0.</summary>
    public long HandlerErrors => Interlocked.Read(ref _handlerErrors);

    public void Send(ReadOnlySpan<byte> datagram, IPEndPoint destination)
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            // The SocketAddress overload with a cached address: the EndPoint overload serializes (allocates) per datagram.
            _socket.SendTo(datagram, SocketFlags.None, AddressOf(destination));
        }
        catch (SocketException e)
        {
            _logger.LogDebug("UDP send to {Destination} failed: {Error}", destination, e.SocketErrorCode);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private SocketAddress AddressOf(IPEndPoint destination)
    {
        if (_destinations.TryGetValue(destination, out var address))
        {
            return address;
        }

        if (_destinations.Count >= 1024)
        {
            _destinations.Clear(); // bounded: peers come and go
        }

        return _destinations[destination] = destination.Serialize();
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[2048];
        var sources = new SourceEndPoints(LocalEndPoint.AddressFamily);
        while (!_disposed)
        {
            int n;
            try
            {
                // The SocketAddress overload fills a reused address instead of allocating an endpoint per datagram.
                n = _socket.ReceiveFrom(buffer, SocketFlags.None, sources.Address);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue;
            }
            catch (Exception) when (_disposed)
            {
                return;
            }
            catch (SocketException e)
            {
                _logger.LogWarning("UDP receive failed: {Error}", e.SocketErrorCode);
                continue;
            }

            try
            {
                _handler(buffer.AsSpan(0, n), sources.Current(), this);
            }
            catch (Exception e)
            {
                Interlocked.Increment(ref _handlerErrors);
                _logger.LogError(e, "Datagram handler failed; packet dropped");
            }
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _socket.Dispose();
        _thread.Join(TimeSpan.FromSeconds(2));
    }
}
