using System.Net;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Network;

/// <summary>
/// A server with two addresses (127.0.0.1 and the second loopback address 127.0.0.2, both bound by the
/// wildcard bind): a client that reaches it at either connects. Our client, like a browser, accepts a
/// STUN response only from the address it sent the check to and DTLS/SRTP only from the authenticated
/// address, and counts everything else as unknown-source drops; so "connected, media decoded, nothing
/// dropped" means every reply left from the address its request arrived on. With one wildcard socket the
/// kernel would answer the checks to 127.0.0.2 from 127.0.0.1 and the client would never connect.
/// </summary>
public sealed class ReplySourceAddressTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2")]
    public async Task Client_reaching_either_address_connects_and_every_reply_comes_from_that_address(string target)
    {
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs,
            serverOptions: o =>
            {
                o.BindAddress = "0.0.0.0";
                o.AnnouncedAddresses.Add("127.0.0.1");
                o.AnnouncedAddresses.Add("127.0.0.2");
            },
            mungeAnswer: answer => KeepOnlyCandidate(answer, target));
        Assert.Contains(pair.ServerMedia.LocalEndPoints, e => e.Address.Equals(IPAddress.Parse("127.0.0.2")));

        await PeerPair.WaitForState(pair.Client, s => s == PeerConnectionState.Connected, TimeSpan.FromSeconds(20));
        await PeerPair.WaitForState(pair.Server, s => s == PeerConnectionState.Connected, TimeSpan.FromSeconds(20));
        await Task.Delay(1500, TestContext.Current.CancellationToken); // a few RTCP reports and consent checks each way

        Assert.Equal(0, pair.ClientMedia.DroppedUnknownSource);
        Assert.Equal(0, pair.Client.GetStats().DroppedUnauthenticated);
        Assert.True(pair.Client.GetStats().PacketsReceived > 0, "SRTCP from the server arrived");
        Assert.Equal(0, pair.ServerMedia.SocketHandlerErrors);
    }

    /// <summary>The answer with only the host candidate on <paramref name="address"/> (and c= on it), so the client checks that one.</summary>
    private static string KeepOnlyCandidate(string answer, string address)
    {
        var lines = answer.Split("\r\n").Where(l => !l.StartsWith("a=candidate:", StringComparison.Ordinal) || l.Contains($" {address} ", StringComparison.Ordinal));
        return string.Join("\r\n", lines).Replace("c=IN IP4 127.0.0.1", $"c=IN IP4 {address}", StringComparison.Ordinal);
    }
}
