using PersonaLive.WebRtc.Benchmarks;
using PersonaLive.Media;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>
/// <see cref="RtcOptions.DecodeIncomingVideo"/> off: complete frames are counted and raised, nothing is
/// decoded and no libvpx decoder exists; the loss handling (PLI after a break) is unchanged. On (the
/// default): every counted frame is also decoded.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class DecodeOptOutTests
{
    private const int Frames = 60;

    [Fact]
    public async Task Without_decoding_complete_frames_are_counted_and_nothing_is_decoded()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs, serverOptions: o => o.DecodeIncomingVideo = false);
        var (assembled, decoded, firstIsKey) = await SendAndCount(pair);

        var stats = pair.Server.GetStats();
        Assert.False(pair.Server.DecoderCreated, "no libvpx decoder may be created");
        Assert.Equal(0, decoded);
        Assert.Equal(0, stats.FramesDecoded);
        Assert.Equal(0, stats.KeyframesDecoded);
        Assert.Equal(Frames, stats.FramesAssembled); // lossless loopback: every frame sent arrives complete
        Assert.Equal(stats.FramesAssembled, assembled);
        Assert.True(firstIsKey, "the first counted frame must be the keyframe");
        Assert.Equal(0, stats.FramesLost);
    }

    [Fact]
    public async Task By_default_every_counted_frame_is_decoded()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        Assert.True(new RtcOptions().DecodeIncomingVideo);
        await using var pair = PeerPair.Create(logs);
        var (assembled, decoded, firstIsKey) = await SendAndCount(pair);

        var stats = pair.Server.GetStats();
        Assert.True(pair.Server.DecoderCreated);
        Assert.Equal(Frames, stats.FramesAssembled);
        Assert.Equal(Frames, stats.FramesDecoded);
        Assert.Equal(Frames, decoded);
        Assert.Equal(Frames, assembled);
        Assert.True(firstIsKey);
    }

    [Fact]
    public async Task Without_decoding_losses_still_cause_plis_and_wait_for_a_keyframe()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs, duplicate: 0.0001,
            serverOptions: o => { o.NackEnabled = false; o.DecodeIncomingVideo = false; });
        await Connect(pair);
        pair.Relay!.LossRate = 0.08;
        var picture = I420Frame.Create(320, 240);
        for (int i = 0; i < 120; i++)
        {
            LoopbackRun.Pattern(picture, i);
            pair.Client.SendFrame(picture, NtpTime.Now());
            await Task.Delay(33, TestContext.Current.CancellationToken);
        }

        await Task.Delay(1000, TestContext.Current.CancellationToken);
        var server = pair.Server.GetStats();
        var client = pair.Client.GetStats();
        Assert.False(pair.Server.DecoderCreated);
        Assert.Equal(0, server.FramesDecoded);
        Assert.True(server.FramesLost > 0, "8 % loss without NACK must lose frames");
        Assert.True(server.PlisSent > 0 && client.PlisReceived > 0, "a break must still ask for a keyframe");
        Assert.True(server.FramesAssembled + server.FramesLost >= 110);
        Assert.True(server.FramesAssembled >= 40, $"counted only {server.FramesAssembled}");
    }

    private static async Task Connect(PeerPair pair)
    {
        await PeerPair.WaitForState(pair.Server, s => s == PeerConnectionState.Connected, TimeSpan.FromSeconds(20));
        await PeerPair.WaitForState(pair.Client, s => s == PeerConnectionState.Connected, TimeSpan.FromSeconds(20));
    }

    /// <summary>Sends <see cref="Frames"/> frames client to server and counts the server's events.</summary>
    private static async Task<(long Assembled, long Decoded, bool FirstIsKey)> SendAndCount(PeerPair pair)
    {
        long assembled = 0, decoded = 0;
        bool? firstIsKey = null;
        pair.Server.FrameAssembled += (_, f) =>
        {
            firstIsKey ??= f.IsKeyframe;
            Interlocked.Increment(ref assembled);
        };
        pair.Server.FrameDecoded += (_, _) => Interlocked.Increment(ref decoded);
        await Connect(pair);
        var picture = I420Frame.Create(320, 240);
        for (int i = 0; i < Frames; i++)
        {
            LoopbackRun.Pattern(picture, i);
            pair.Client.SendFrame(picture, NtpTime.Now());
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (pair.Server.GetStats().FramesAssembled < Frames && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        await Task.Delay(300, TestContext.Current.CancellationToken); // let the decode thread finish the last frame
        return (Interlocked.Read(ref assembled), Interlocked.Read(ref decoded), firstIsKey ?? false);
    }
}
