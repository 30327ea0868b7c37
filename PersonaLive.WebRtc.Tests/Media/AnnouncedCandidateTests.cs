using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.WebRtc.PeerConnection;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>
/// The host candidates handed to browsers are exactly the configured addresses (no built-in default
/// beside them, no repeats), or 127.0.0.1 when none is configured.
/// </summary>
public sealed class AnnouncedCandidateTests
{
    [Fact]
    public async Task No_configured_address_announces_loopback_once()
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
}
