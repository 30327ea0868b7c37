using PersonaLive.Media;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Sdp;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>
/// Our whole stack with H.264 negotiated: an H.264-only offer (our client role) against our server,
/// pictures both ways in packetization-mode 1 and 0, and a PLI turned into an IDR by the sender.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class H264SessionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public async Task H264_only_offer_gets_h264_pictures_both_ways_and_a_pli_brings_an_idr(int packetizationMode)
    {
        H264CodecTests.SkipWithoutOpenH264();
        using var logs = new TestLoggerFactory();
        await using var serverMedia = new RtcMediaServer(PeerPair.Options(), logs);
        await using var clientMedia = new RtcMediaServer(PeerPair.Options(), logs);
        await using var server = serverMedia.CreatePeerConnection();
        await using var client = clientMedia.CreatePeerConnection();
        string offer = client.CreateOffer("sendrecv", VideoCodec.H264)
            .Replace("packetization-mode=1", $"packetization-mode={packetizationMode}", StringComparison.Ordinal);
        string answer = server.CreateAnswer(offer);
        Assert.Contains(" H264/90000\r\n", answer, StringComparison.Ordinal);
        Assert.Contains($"packetization-mode={packetizationMode};profile-level-id=42e01f", answer, StringComparison.Ordinal);
        client.SetAnswer(answer);
        await PeerPair.WaitForState(client, s => s == PeerConnectionState.Connected, Timeout);
        await PeerPair.WaitForState(server, s => s == PeerConnectionState.Connected, Timeout);

        double serverLuma = 0, clientLuma = 0;
        (int, int) serverSize = default;
        server.FrameDecoded += (_, f) => (serverLuma, serverSize) = (f.Frame.MeanY(), (f.Frame.Width, f.Frame.Height));
        client.FrameDecoded += (_, f) => clientLuma = f.Frame.MeanY();
        int clientIdrs = 0;
        client.FrameEncoded += (_, e) => clientIdrs += e.IsKeyframe ? 1 : 0;

        async Task Exchange(int frames)
        {
            for (int i = 0; i < frames; i++)
            {
                var toServer = I420Frame.Create(320, 240);
                toServer.Fill(70, 100, 150);
                client.SendFrame(toServer, NtpTime.Now());
                var toClient = I420Frame.Create(320, 240);
                toClient.Fill(180, 128, 128);
                server.SendFrame(toClient, NtpTime.Now());
                await Task.Delay(33, TestContext.Current.CancellationToken);
            }

            await Task.Delay(500, TestContext.Current.CancellationToken);
        }

        await Exchange(30);
        Assert.Equal((320, 240), serverSize);
        Assert.InRange(serverLuma, 65, 75);
        Assert.InRange(clientLuma, 175, 185);
        Assert.True(server.GetStats().FramesDecoded >= 20, $"server decoded {server.GetStats().FramesDecoded}");
        Assert.True(client.GetStats().FramesDecoded >= 20, $"client decoded {client.GetStats().FramesDecoded}");
        Assert.Equal(0, server.GetStats().DroppedMalformed);

        int idrsBefore = clientIdrs;
        server.RequestKeyframe(); // the server's receiver asks for an IDR: PLI to the client's encoder
        await Exchange(15);
        Assert.True(client.GetStats().PlisReceived >= 1);
        Assert.True(clientIdrs > idrsBefore, "the PLI must produce an IDR");
    }

    [Fact]
    public async Task Preferred_codecs_setting_reaches_the_answer()
    {
        using var logs = new TestLoggerFactory();
        string chrome = TestData.Text("chrome156-offer.sdp");
        await using var media = new RtcMediaServer(PeerPair.Options(o => { o.PreferredCodecs.Add("H264"); o.PreferredCodecs.Add("VP8"); }), logs);
        await using var pc = media.CreatePeerConnection();
        string answer = pc.CreateAnswer(chrome);
        Assert.Contains("a=rtpmap:108 H264/90000", answer, StringComparison.Ordinal);
        Assert.Equal(108, pc.Transceiver!.PayloadType);

        await using var vp8Only = new RtcMediaServer(PeerPair.Options(o => o.PreferredCodecs.Add("VP8")), logs);
        await using var refusing = vp8Only.CreatePeerConnection();
        string h264Only = SdpNegotiation.CreateOffer(new LocalMediaParameters("cli1", "0123456789abcdefghijkl",
            "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99", [], 1, "c", "s", "t"),
            "sendonly", 102, VideoCodec.H264);
        var e = Assert.Throws<SdpException>(() => refusing.CreateAnswer(h264Only));
        Assert.Contains("offers H264", e.Message, StringComparison.Ordinal);
    }
}
