using PersonaLive.Media;
using PersonaLive.WebRtc.Benchmarks;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>
/// Our client and server negotiate the RFC 8285 extensions and exchange transport-cc feedback both ways:
/// each side numbers its packets, the other reports their arrival every 50 ms, and the reports match
/// what was sent. With the extension munged out of the offer nothing of it is sent.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class TransportCcLoopbackTests
{
    [Fact]
    public async Task Both_sides_send_and_match_transport_cc_feedback()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs);
        Assert.Equal(4, pair.Server.Transceiver!.Negotiated.Extensions.TransportCc);
        Assert.Equal(4, pair.Client.Transceiver!.Negotiated.Extensions.TransportCc);
        var (client, server) = await Exchange(pair, 2000);
        Assert.True(server.TransportFeedbackSent >= 5, $"server sent {server.TransportFeedbackSent} feedbacks");
        Assert.True(client.TransportFeedbackSent >= 5, $"client sent {client.TransportFeedbackSent} feedbacks");
        Assert.True(client.TransportFeedbackReceived >= 5);
        Assert.True(server.TransportFeedbackReceived >= 5);
        // On loopback nearly every packet is reported; none can be reported that was not sent.
        Assert.InRange(client.TransportCcPacketsReported, client.PacketsSent / 2, client.PacketsSent);
        Assert.InRange(server.TransportCcPacketsReported, server.PacketsSent / 2, server.PacketsSent);
        Assert.Equal(0, client.DroppedMalformed + server.DroppedMalformed);
        Assert.True(server.FramesDecoded > 10 && client.FramesDecoded > 10);
    }

    [Fact]
    public async Task Without_the_extension_no_feedback_is_sent()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs, mungeOffer: offer => string.Join("\r\n",
            offer.Split("\r\n").Where(l => !l.Contains("transport-wide-cc", StringComparison.Ordinal))));
        Assert.Equal(0, pair.Server.Transceiver!.Negotiated.Extensions.TransportCc);
        Assert.Equal(2, pair.Server.Transceiver!.Negotiated.Extensions.AbsSendTime);
        var (client, server) = await Exchange(pair, 1000);
        Assert.Equal(0, client.TransportFeedbackSent + server.TransportFeedbackSent);
        Assert.Equal(0, client.TransportFeedbackReceived + server.TransportFeedbackReceived);
        Assert.True(server.FramesDecoded > 5);
    }

    private static async Task<(PeerConnectionStats Client, PeerConnectionStats Server)> Exchange(PeerPair pair, int milliseconds)
    {
        var ct = TestContext.Current.CancellationToken;
        await PeerPair.WaitForState(pair.Server, s => s == PeerConnectionState.Connected, TimeSpan.FromSeconds(20));
        await PeerPair.WaitForState(pair.Client, s => s == PeerConnectionState.Connected, TimeSpan.FromSeconds(20));
        var picture = I420Frame.Create(160, 120);
        var end = DateTime.UtcNow.AddMilliseconds(milliseconds);
        for (int frame = 0; DateTime.UtcNow < end; frame++)
        {
            LoopbackRun.Pattern(picture, frame);
            pair.Client.SendFrame(picture, NtpTime.Now());
            pair.Server.SendFrame(picture, NtpTime.Now());
            await Task.Delay(33, ct);
        }

        await Task.Delay(300, ct); // the last feedback
        return (pair.Client.GetStats(), pair.Server.GetStats());
    }
}
