using System.Net;
using System.Net.Sockets;

namespace PersonaLive.WebRtc.Transport;

/// <summary>
/// The receive thread's source addresses: one reused <see cref="SocketAddress"/> that each receive fills,
/// and a cache from address bytes to the <see cref="IPEndPoint"/> handed to the packet handler, so a peer
/// that keeps sending from the same address costs no allocation per datagram. The cache is bounded (it is
/// emptied when full, so spoofed floods of new addresses cannot grow it). One receive thread only.
/// </summary>
internal sealed class SourceEndPoints
{
    private const int MaxCached = 1024;
    private readonly Dictionary<SocketAddress, IPEndPoint> _cache = new();
    private readonly IPEndPoint _template;

    public SourceEndPoints(AddressFamily family)
    {
        _template = new IPEndPoint(family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        Address = _template.Serialize();
    }

    /// <summary>The address the next receive writes into.</summary>
    public SocketAddress Address { get; }

    /// <summary>The endpoint for the address the last receive wrote (cached by value).</summary>
    public IPEndPoint Current()
    {
        if (_cache.TryGetValue(Address, out var known))
        {
            return known;
        }

        if (_cache.Count >= MaxCached)
        {
            _cache.Clear();
        }

        var endPoint = (IPEndPoint)_template.Create(Address);
        var key = new SocketAddress(Address.Family, Address.Size);
        Address.Buffer.Span[..Address.Size].CopyTo(key.Buffer.Span);
        _cache[key] = endPoint;
        return endPoint;
    }
}
