using PersonaLive.WebRtc.Benchmarks;
using PersonaLive.Media;
using PersonaLive.WebRtc.Codecs.Vpx;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>Several sessions on one shared UDP port, and viewers fed from one shared encoder.</summary>
[Collection(UdpCollection.Name)]
public sealed class SessionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Two_sessions_share_one_server_port_and_each_gets_its_own_stream()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        await using var serverMedia = new RtcMediaServer(PeerPair.Options(), logs);
        await using var clientMediaA = new RtcMediaServer(PeerPair.Options(), logs);
        await using var clientMediaB = new RtcMediaServer(PeerPair.Options(), logs);
        var sessions = new List<(RtcPeerConnection Server, RtcPeerConnection Client, byte Luma)>();
        foreach (var (media, luma) in new[] { (clientMediaA, (byte)50), (clientMediaB, (byte)200) })
        {
            var client = media.CreatePeerConnection();
            var server = serverMedia.CreatePeerConnection();
            client.SetAnswer(server.CreateAnswer(client.CreateOffer()));
            sessions.Add((server, client, luma));
        }

        Assert.Equal(2, serverMedia.PeerConnectionCount);
        foreach (var s in sessions)
        {
            await PeerPair.WaitForState(s.Client, st => st == PeerConnectionState.Connected, Timeout);
            await PeerPair.WaitForState(s.Server, st => st == PeerConnectionState.Connected, Timeout);
        }

        var lastLuma = new double[2];
        for (int k = 0; k < 2; k++)
        {
            int index = k;
            sessions[k].Server.FrameDecoded += (_, f) => lastLuma[index] = f.Frame.MeanY();
        }

        for (int i = 0; i < 30; i++)
        {
            foreach (var s in sessions)
            {
                var frame = I420Frame.Create(160, 120);
                frame.Fill(s.Luma, 128, 128);
                s.Client.SendFrame(frame, NtpTime.Now());
            }

            await Task.Delay(33, TestContext.Current.CancellationToken);
        }

        await Task.Delay(600, TestContext.Current.CancellationToken);
        Assert.InRange(lastLuma[0], 45, 55);
        Assert.InRange(lastLuma[1], 195, 205);
        Assert.True(sessions.All(s => s.Server.GetStats().FramesDecoded >= 20));
        foreach (var s in sessions)
        {
            await s.Client.DisposeAsync();
            await s.Server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Viewers_share_one_encoder_and_a_joining_viewer_gets_a_keyframe()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        await using var serverMedia = new RtcMediaServer(PeerPair.Options(), logs);
        using var encoder = new VpxEncoder(new VpxEncoderOptions { Width = 160, Height = 120, BitrateKbps = 300 });
        var viewers = new List<(RtcPeerConnection Server, RtcPeerConnection Client, RtcMediaServer Media)>();
        int keyframeRequests = 0;
        bool forceKeyframe = false;
        var picture = I420Frame.Create(160, 120);

        async Task AddViewer()
        {
            var media = new RtcMediaServer(PeerPair.Options(), logs);
            var client = media.CreatePeerConnection();
            var server = serverMedia.CreatePeerConnection();
            server.KeyframeRequested += (_, _) => { Interlocked.Increment(ref keyframeRequests); forceKeyframe = true; };
            string answer = server.CreateAnswer(client.CreateOffer("recvonly"));
            Assert.Equal("sendonly", server.Transceiver!.Direction);
            client.SetAnswer(answer);
            await PeerPair.WaitForState(server, s => s == PeerConnectionState.Connected, Timeout);
            viewers.Add((server, client, media));
        }

        async Task Broadcast(int frames, int start)
        {
            for (int i = start; i < start + frames; i++)
            {
                LoopbackRun.Pattern(picture, i);
                ulong now = NtpTime.Now();
                bool key = forceKeyframe;
                forceKeyframe = false;
                foreach (var e in encoder.Encode(picture, (long)NtpTime.To90kHz(now), key))
                {
                    foreach (var v in viewers)
                    {
                        v.Server.SendEncodedFrame(e, now); // encoded once, sent to every viewer
                    }
                }

                await Task.Delay(33, TestContext.Current.CancellationToken);
            }
        }

        await AddViewer();
        await Broadcast(20, 0);
        int before = keyframeRequests;
        await AddViewer(); // joins mid-stream: must trigger a keyframe, else it could never decode
        // The request is raised from the connection's own thread around the state change: allow it a moment.
        for (int waited = 0; Volatile.Read(ref keyframeRequests) <= before && waited < 3000; waited += 20)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.True(keyframeRequests > before, "a joining viewer did not trigger a keyframe request within 3 s");
        await Broadcast(20, 20);
        await Task.Delay(600, TestContext.Current.CancellationToken);
        var first = viewers[0].Client.GetStats();
        var second = viewers[1].Client.GetStats();
        TestContext.Current.TestOutputHelper!.WriteLine($"viewer 1 decoded {first.FramesDecoded}, viewer 2 decoded {second.FramesDecoded}");
        Assert.True(first.FramesDecoded >= 30);
        Assert.True(second.FramesDecoded >= 12);
        Assert.Equal(0, second.FramesLost);
        foreach (var v in viewers)
        {
            await v.Client.DisposeAsync();
            await v.Server.DisposeAsync();
            await v.Media.DisposeAsync();
        }
    }
}

/// <summary>Orderly shutdown: our close sends BYE and close_notify; the other side ends promptly.</summary>
[Collection(UdpCollection.Name)]
public sealed class ShutdownTests
{
    [Fact]
    public async Task Closing_one_side_closes_the_other_through_close_notify()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs);
        await PeerPair.WaitForState(pair.Server, s => s == PeerConnectionState.Connected, TimeSpan.FromSeconds(20));
        await PeerPair.WaitForState(pair.Client, s => s == PeerConnectionState.Connected, TimeSpan.FromSeconds(20));
        await pair.Client.DisposeAsync();
        Assert.Equal(PeerConnectionState.Closed, pair.Client.ConnectionState);
        var end = await PeerPair.WaitForState(pair.Server, s => s is PeerConnectionState.Closed or PeerConnectionState.Failed, TimeSpan.FromSeconds(5));
        Assert.Equal(PeerConnectionState.Closed, end);
        Assert.Equal(0, pair.ServerMedia.PeerConnectionCount);
    }
}
