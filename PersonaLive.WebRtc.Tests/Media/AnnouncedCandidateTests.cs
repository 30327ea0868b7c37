using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Transport;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>
/// The host candidates handed to browsers: exactly the configured addresses (no built-in default beside
/// them, no repeats); without configuration, the bound address, or with a wildcard bind every usable
/// local address gathered at start.
/// </summary>
public sealed class AnnouncedCandidateTests
{
    [Fact]
    public async Task No_configured_address_announces_the_bound_address_once()
    {
        await using var media = new RtcMediaServer(new RtcOptions { MediaPort = 0, BindAddress = "127.0.0.1" }, NullLoggerFactory.Instance);
        var candidate = Assert.Single(media.Candidates);
        Assert.Equal("127.0.0.1", candidate.Address.ToString());
        Assert.Equal(media.LocalEndPoint.Port, candidate.Port);
    }

    [Fact]
    public async Task Configured_addresses_replace_the_default_and_repeats_are_announced_once()
    {
        var options = new RtcOptions { MediaPort = 0, BindAddress = "127.0.0.1" };
        options.AnnouncedAddresses.Add("203.0.113.7");
        options.AnnouncedAddresses.Add("198.51.100.20");
        options.AnnouncedAddresses.Add("203.0.113.7");

        await using var media = new RtcMediaServer(options, NullLoggerFactory.Instance);

        Assert.Equal(["203.0.113.7", "198.51.100.20"], media.Candidates.Select(c => c.Address.ToString()));
    }

    [Fact]
    public async Task Wildcard_bind_announces_every_usable_local_address_with_a_socket_on_each()
    {
        // Binds sockets only (no datagram is sent), so the machine's own addresses may take part.
        var gathered = LocalAddresses.Gather();
        Assert.Contains(IPAddress.Loopback, gathered);
        Assert.DoesNotContain(gathered, a => a.IsIPv6LinkLocal || a.Equals(IPAddress.Any));

        await using var media = new RtcMediaServer(new RtcOptions { MediaPort = 0, BindAddress = "0.0.0.0" }, NullLoggerFactory.Instance);

        // (Compared with the server's own bound sockets: test hosts of parallel tests may come and go between two gatherings.)
        Assert.Equal(media.LocalEndPoints.Select(e => e.Address), media.Candidates.Select(c => c.Address));
        Assert.Contains(IPAddress.Loopback, media.Candidates.Select(c => c.Address));
        Assert.All(gathered.Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a)).Take(1),
            a => Assert.Contains(a, media.Candidates.Select(c => c.Address)));
        Assert.All(media.Candidates, c => Assert.Equal(media.LocalEndPoint.Port, c.Port));
        Assert.True(IPAddress.IsLoopback(media.Candidates[^1].Address), "loopback is announced last, after addresses other machines can reach");
    }
}
