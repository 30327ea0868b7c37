using System.Net;
using System.Net.Sockets;
using System.Text;
using PersonaLive.WebRtc.Benchmarks;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Ice;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Tests.Media;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Negative;

/// <summary>Hostile or broken peers against the full stack over UDP.</summary>
[Collection(UdpCollection.Name)]
public sealed class StackNegativeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static string FlipFingerprint(string sdp)
    {
        int i = sdp.IndexOf("a=fingerprint:sha-256 ", StringComparison.Ordinal) + "a=fingerprint:sha-256 ".Length;
        char c = sdp[i] == 'A' ? 'B' : 'A';
        return sdp[..i] + c + sdp[(i + 1)..];
    }

    [Fact]
    public async Task Wrong_fingerprint_in_the_answer_means_no_media()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs, mungeAnswer: FlipFingerprint, serverOptions: o => o.DtlsHandshakeTimeoutSeconds = 5);
        var clientEnd = await PeerPair.WaitForState(pair.Client, s => s is PeerConnectionState.Failed or PeerConnectionState.Closed or PeerConnectionState.Connected, Timeout);
        Assert.NotEqual(PeerConnectionState.Connected, clientEnd);
        var serverEnd = await PeerPair.WaitForState(pair.Server, s => s is PeerConnectionState.Failed or PeerConnectionState.Closed, Timeout);
        Assert.NotEqual(PeerConnectionState.Connected, serverEnd);
        Assert.Equal(0, pair.Server.GetStats().PacketsReceived);
        Assert.Null(pair.Server.GetStats().SrtpProfile);
    }

    [Fact]
    public async Task Wrong_fingerprint_in_the_offer_is_rejected_by_our_dtls_server()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs, mungeOffer: FlipFingerprint);
        var serverEnd = await PeerPair.WaitForState(pair.Server, s => s is PeerConnectionState.Failed or PeerConnectionState.Closed or PeerConnectionState.Connected, Timeout);
        Assert.Equal(PeerConnectionState.Failed, serverEnd);
        Assert.Null(pair.Server.GetStats().SrtpProfile);
    }

    [Fact]
    public async Task Stun_with_bad_integrity_is_answered_401_and_changes_nothing()
    {
        using var logs = new TestLoggerFactory();
        await using var media = new RtcMediaServer(PeerPair.Options(), logs);
        var pc = media.CreatePeerConnection();
        pc.CreateAnswer(TestData.Text("chrome156-offer.sdp"));
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var request = new StunMessageBuilder(StunConstants.BindingRequest, new byte[12])
            .AddString(StunConstants.AttrUsername, pc.LocalUfrag + ":k771")
            .AddUInt32(StunConstants.AttrPriority, 1)
            .AddMessageIntegrity(Encoding.UTF8.GetBytes("not-the-password-at-all"))
            .AddFingerprint().ToArray();
        await udp.SendAsync(request, media.LocalEndPoint, TestContext.Current.CancellationToken);
        var reply = await udp.ReceiveAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.True(StunMessage.TryParse(reply.Buffer, out var response));
        Assert.Equal(StunConstants.BindingError, response!.MessageType);
        Assert.Equal(401, response.ErrorCode);
        Assert.Equal(PeerConnectionState.New, pc.ConnectionState);

        // media from that (unauthenticated) address is dropped at the server
        await udp.SendAsync(new byte[] { 0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3 }, media.LocalEndPoint, TestContext.Current.CancellationToken);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.True(media.DroppedUnknownSource >= 1);
        Assert.True(pc.GetStats().DroppedUnauthenticated >= 1);
    }

    [Fact]
    public async Task Duplicated_and_garbage_packets_from_the_peer_are_dropped_and_counted_while_media_flows()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs, duplicate: 0.2);
        await PeerPair.WaitForState(pair.Server, s => s == PeerConnectionState.Connected, Timeout);
        await PeerPair.WaitForState(pair.Client, s => s == PeerConnectionState.Connected, Timeout);
        var random = new Random(5);
        var picture = I420Frame.Create(160, 120);
        for (int i = 0; i < 60; i++)
        {
            LoopbackRun.Pattern(picture, i);
            pair.Client.SendFrame(picture, NtpTime.Now());
            // garbage from the client's authenticated address: fake RTP, fake RTCP, fake DTLS, noise
            var junk = new byte[random.Next(1, 300)];
            random.NextBytes(junk);
            junk[0] = (byte)(i % 4 == 0 ? 0x80 : i % 4 == 1 ? 0x81 : i % 4 == 2 ? 23 : junk[0]);
            if (i % 4 == 1)
            {
                junk[1] = 200;
            }

            pair.Relay!.InjectToServer(junk);
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        await Task.Delay(500, TestContext.Current.CancellationToken);
        var stats = pair.Server.GetStats();
        TestContext.Current.TestOutputHelper!.WriteLine(stats.ToString());
        Assert.Equal(PeerConnectionState.Connected, pair.Server.ConnectionState);
        Assert.True(stats.DroppedReplayed > 0, "duplicates must hit the replay window");
        Assert.True(stats.DroppedUnauthenticated + stats.DroppedMalformed > 0, "garbage must be counted");
        Assert.True(stats.FramesDecoded >= 50, $"media must keep flowing, decoded {stats.FramesDecoded}");
    }

    [Fact]
    public async Task Silent_peer_is_dropped_after_the_consent_timeout()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs, duplicate: 0.0001, serverOptions: o => o.ConsentTimeoutSeconds = 3);
        await PeerPair.WaitForState(pair.Server, s => s == PeerConnectionState.Connected, Timeout);
        await Task.Delay(1500, TestContext.Current.CancellationToken);
        Assert.Equal(PeerConnectionState.Connected, pair.Server.ConnectionState); // consent checks keep it alive
        pair.Relay!.Blackhole = true; // the client vanishes without a goodbye
        var end = await PeerPair.WaitForState(pair.Server, s => s is PeerConnectionState.Failed or PeerConnectionState.Closed, TimeSpan.FromSeconds(10));
        Assert.Equal(PeerConnectionState.Failed, end);
    }
}
