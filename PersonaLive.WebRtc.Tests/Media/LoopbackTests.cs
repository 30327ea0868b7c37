using PersonaLive.WebRtc.Benchmarks;
using PersonaLive.Media;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>Our client against our server over real UDP on 127.0.0.1, through a relay that drops packets.</summary>
[Collection(UdpCollection.Name)]
public sealed class LoopbackTests
{
    [Fact]
    public async Task Three_hundred_frames_each_way_survive_five_percent_loss()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        var r = await LoopbackRun.RunAsync(frames: 300, lossRate: 0.05, width: 320, height: 240, fps: 30, logs, TestContext.Current.CancellationToken);
        var output = TestContext.Current.TestOutputHelper!;
        output.WriteLine($"relay dropped {r.RelayDropped} datagrams");
        output.WriteLine($"server decoded {r.ServerDecoded}, lost {r.Server.FramesLost}, recovered {r.Server.FramesRecovered} of the client's 300 frames");
        output.WriteLine($"client decoded {r.ClientDecoded}, lost {r.Client.FramesLost}, recovered {r.Client.FramesRecovered} of the server's 300 frames");
        output.WriteLine($"recovered (needed a NACK retransmission) = {r.Recovered}, lost (given up, healed by PLI keyframe) = {r.Lost}");
        output.WriteLine($"server: NACKs sent {r.Server.NacksSent}, retransmissions {r.Server.Retransmissions}, PLIs sent {r.Server.PlisSent}, PLIs received {r.Server.PlisReceived}");
        output.WriteLine($"client: NACKs sent {r.Client.NacksSent}, retransmissions {r.Client.Retransmissions}, PLIs sent {r.Client.PlisSent}, PLIs received {r.Client.PlisReceived}");
        output.WriteLine($"server stats: {r.Server}");
        output.WriteLine($"client stats: {r.Client}");
        output.WriteLine($"retransmissions skipped by the budget: server {r.Server.RetransmissionsSkipped}, client {r.Client.RetransmissionsSkipped}");
        if (r.LatenciesMs.Count > 0)
        {
            var sorted = r.LatenciesMs.Order().ToList();
            output.WriteLine($"latency median {sorted[sorted.Count / 2]:F1} ms, p95 {sorted[(int)(sorted.Count * 0.95)]:F1} ms over {sorted.Count} frames");
        }

        Assert.True(r.RelayDropped > 0);
        Assert.Equal(0, r.ServerSocketHandlerErrors); // no exception reached either socket loop
        Assert.Equal(0, r.ClientSocketHandlerErrors);
        // Exact accounting per direction: every frame sent (the first is the keyframe) is decoded, or
        // counted lost (given up and healed by a PLI keyframe). The run ends with a lossless closing
        // keyframe each way (not counted), so even a vanished last frame shows up as a PictureID gap.
        Assert.True(r.DrainKeyframesDecoded, "the closing keyframes must decode");
        Assert.Equal(301, r.Client.FramesSent);
        Assert.Equal(301, r.Server.FramesSent);
        Assert.Equal(300, r.ServerDecoded + r.Server.FramesLost);
        Assert.Equal(300, r.ClientDecoded + r.Client.FramesLost);
        Assert.Equal(r.ServerDecoded + 1, r.Server.FramesDecoded);
        Assert.Equal(r.ClientDecoded + 1, r.Client.FramesDecoded);
        Assert.True(r.ServerDecoded >= 255, $"server decoded only {r.ServerDecoded}");
        Assert.True(r.ClientDecoded >= 255, $"client decoded only {r.ClientDecoded}");
        Assert.True(r.Recovered > 0, "5 % loss must have needed NACK retransmissions");
        // Our offer includes RTX (RFC 4588), so every resend (and its copy, sent while the path has no queue) travels on the RTX stream and is restored there.
        Assert.True(r.Server.RtxSent > 0 && r.Server.RtxSent >= r.Server.Retransmissions && r.Server.RtxSent <= 2 * r.Server.Retransmissions, $"server RTX {r.Server.RtxSent} of {r.Server.Retransmissions}");
        Assert.True(r.Client.RtxSent > 0 && r.Client.RtxSent >= r.Client.Retransmissions && r.Client.RtxSent <= 2 * r.Client.Retransmissions, $"client RTX {r.Client.RtxSent} of {r.Client.Retransmissions}");
        Assert.True(r.Server.RtxReceived > 0 && r.Client.RtxReceived > 0, "no RTX packet was restored");
        Assert.InRange(r.LastServerFrameMeanY, 50, 70);
        Assert.InRange(r.LastClientFrameMeanY, 50, 70);
        Assert.NotEmpty(r.LatenciesMs); // the SR mapping gave capture times
        Assert.Equal("AeadAes128Gcm", r.Server.SrtpProfile);
    }

    [Fact]
    public async Task Without_nack_losses_are_healed_by_pli_keyframes()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        // Every picture is encoded (no frame-rate step under a falling target): the test counts frames sent.
        await using var pair = PeerPair.Create(logs, duplicate: 0.0001, serverOptions: o => o.NackEnabled = false,
            clientOptions: o => o.FrameRateFloorKbps = o.ResolutionFloorKbps = 0);
        await PeerPair.WaitForState(pair.Server, s => s == PeerConnectionState.Connected, TimeSpan.FromSeconds(20));
        await PeerPair.WaitForState(pair.Client, s => s == PeerConnectionState.Connected, TimeSpan.FromSeconds(20));
        pair.Relay!.LossRate = 0.08; // media loss only; handshake robustness is covered elsewhere
        var picture = I420Frame.Create(320, 240);
        long lastDecodedTs = 0;
        pair.Server.FrameDecoded += (_, f) => lastDecodedTs = f.RtpTimestamp;
        for (int i = 0; i < 120; i++)
        {
            LoopbackRun.Pattern(picture, i);
            pair.Client.SendFrame(picture, NtpTime.Now());
            await Task.Delay(33, TestContext.Current.CancellationToken);
        }

        await Task.Delay(1000, TestContext.Current.CancellationToken);
        var server = pair.Server.GetStats();
        var client = pair.Client.GetStats();
        TestContext.Current.TestOutputHelper!.WriteLine($"server: decoded {server.FramesDecoded}, lost {server.FramesLost}, keyframes {server.KeyframesDecoded}, PLIs sent {server.PlisSent}, NACKs sent {server.NacksSent}; client: PLIs received {client.PlisReceived}");
        Assert.Equal(0, server.NacksSent);
        Assert.True(server.FramesLost > 0, "8 % loss without NACK must lose frames");
        Assert.True(server.PlisSent > 0 && client.PlisReceived > 0);
        Assert.True(server.KeyframesDecoded > 1, "PLI must have produced fresh keyframes");
        Assert.True(server.FramesDecoded + server.FramesLost >= 110);
        Assert.True(server.FramesDecoded >= 40, $"decoded only {server.FramesDecoded}");
    }
}
