using PersonaLive.WebRtc.Benchmarks;
using PersonaLive.Media;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Tests.Media;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Network;

/// <summary>
/// Liveness from media: a peer whose authenticated SRTP keeps arriving stays connected though its
/// consent checks stop (native peers that send only Binding Indications); one that goes silent ends
/// after the configured timeout.
/// </summary>
public sealed class LivenessTests
{
    private const int TimeoutSeconds = 3;

    [Fact]
    public async Task Peer_sending_media_without_consent_checks_stays_connected_and_ends_once_silent()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs, duplicate: 0.0001, serverOptions: o => o.ConsentTimeoutSeconds = TimeoutSeconds);
        await PeerPair.WaitForState(pair.Server, s => s == PeerConnectionState.Connected, TimeSpan.FromSeconds(20));
        await PeerPair.WaitForState(pair.Client, s => s == PeerConnectionState.Connected, TimeSpan.FromSeconds(20));
        var ended = PeerPair.WaitForState(pair.Server, s => s is PeerConnectionState.Failed or PeerConnectionState.Closed, TimeSpan.FromSeconds(60));

        pair.Relay!.DropClientStun = true; // from now on only the client's media reaches the server
        var picture = I420Frame.Create(160, 120);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long decodedBefore = pair.Server.GetStats().FramesDecoded;
        for (int i = 0; clock.Elapsed < TimeSpan.FromSeconds(TimeoutSeconds * 2.5); i++)
        {
            LoopbackRun.Pattern(picture, i);
            pair.Client.SendFrame(picture, NtpTime.Now());
            await Task.Delay(40, TestContext.Current.CancellationToken);
            Assert.False(ended.IsCompleted, $"dropped after {clock.Elapsed.TotalSeconds:0.0} s though its media kept arriving");
        }

        Assert.Equal(PeerConnectionState.Connected, pair.Server.ConnectionState);
        Assert.True(pair.Server.GetStats().FramesDecoded > decodedBefore + 50, "media kept flowing");

        clock.Restart();
        pair.Relay.Blackhole = true; // now it goes silent: no STUN, no media
        Assert.Equal(PeerConnectionState.Failed, await ended);
        Assert.InRange(clock.Elapsed.TotalSeconds, TimeoutSeconds - 1.2, TimeoutSeconds + 3);
        Assert.Equal(0, pair.ServerMedia.SocketHandlerErrors);
    }
}
