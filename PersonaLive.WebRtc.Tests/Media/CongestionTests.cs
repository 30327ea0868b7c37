using PersonaLive.WebRtc.Benchmarks;
using PersonaLive.Media;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>
/// The congestion response end to end: our client sends VP8 through the lossy relay to our server, whose
/// RRs (NACK off, so they report the path loss) drive the client's encoder bitrate within its bounds.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class CongestionTests
{
    private const int StartKbps = 600;
    private const int MinKbps = 300;

    [Fact]
    public async Task Encoder_bitrate_falls_to_the_floor_under_reported_loss_and_recovers_without_it()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        var ct = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper!;
        await using var pair = PeerPair.Create(logs, duplicate: 0.0001,
            serverOptions: o => o.NackEnabled = false,
            clientOptions: o => { o.StartOutgoingBitrateKbps = StartKbps; o.MinOutgoingBitrateKbps = MinKbps; o.MaxOutgoingBitrateKbps = StartKbps; });
        await PeerPair.WaitForState(pair.Server, s => s == PeerConnectionState.Connected, TimeSpan.FromSeconds(20));
        await PeerPair.WaitForState(pair.Client, s => s == PeerConnectionState.Connected, TimeSpan.FromSeconds(20));
        var picture = I420Frame.Create(160, 120);
        int frame = 0;

        async Task<List<PeerConnectionStats>> Send(int milliseconds, Func<PeerConnectionStats, bool>? stop = null)
        {
            var samples = new List<PeerConnectionStats>();
            var end = DateTime.UtcNow.AddMilliseconds(milliseconds);
            while (DateTime.UtcNow < end)
            {
                LoopbackRun.Pattern(picture, frame++);
                pair.Client.SendFrame(picture, NtpTime.Now());
                var stats = pair.Client.GetStats();
                samples.Add(stats);
                if (stop?.Invoke(stats) == true)
                {
                    break;
                }

                await Task.Delay(50, ct);
            }

            return samples;
        }

        // 1. No loss: the receiver's RRs report ~0 and the target never falls.
        var clean = await Send(3500);
        Assert.True(pair.Server.GetStats().FramesDecoded > 20);
        Assert.All(clean, s => Assert.Equal(StartKbps, s.TargetBitrateKbps));
        Assert.All(clean, s => Assert.Equal(StartKbps, s.SendTargetKbps));
        // The encoder gets the target less the headers it sends (a small picture: a few packets a frame).
        Assert.All(clean.Where(s => s.EncoderBitrateKbps != 0), s => Assert.InRange(s.EncoderBitrateKbps, StartKbps * 0.85, StartKbps - 1));
        Assert.True(clean[^1].RemoteFractionLost < 0.02, $"clean path reported {clean[^1].RemoteFractionLost:P1} loss");

        // 2. Sustained 30 % loss: every RR that gets through reports it, the target steps down to the floor
        // (-15 % per report) and the encoder follows from its next frame.
        pair.Relay!.LossRate = 0.3;
        var lossy = await Send(20_000, s => s.TargetBitrateKbps == MinKbps && s.EncoderBitrateKbps == MinKbps);
        pair.Relay.LossRate = 0;
        output.WriteLine($"under loss: target {string.Join(" ", lossy.Select(s => s.TargetBitrateKbps).Distinct())} kb/s, " +
            $"last reported loss {lossy[^1].RemoteFractionLost:P1}");
        Assert.All(lossy, s => Assert.InRange(s.TargetBitrateKbps, MinKbps, StartKbps));
        Assert.All(lossy, s => Assert.InRange(s.EncoderBitrateKbps, MinKbps, StartKbps));
        Assert.True(lossy[^1].RemoteFractionLost > 0.10, $"the receiver must report the loss, last RR said {lossy[^1].RemoteFractionLost:P1}");
        Assert.Equal(MinKbps, lossy[^1].TargetBitrateKbps);
        Assert.Equal(MinKbps, lossy[^1].EncoderBitrateKbps);

        // 3. Loss gone: the target climbs back (+8 % or more per clean report), never past the configured ceiling.
        var recovered = await Send(4500);
        output.WriteLine($"after loss: target {string.Join(" ", recovered.Select(s => s.TargetBitrateKbps).Distinct())} kb/s");
        Assert.All(recovered, s => Assert.InRange(s.TargetBitrateKbps, MinKbps, StartKbps));
        Assert.True(recovered[^1].TargetBitrateKbps > MinKbps + 20, $"target stayed at {recovered[^1].TargetBitrateKbps} kb/s");
        Assert.True(recovered[^1].EncoderBitrateKbps > MinKbps);
        Assert.Equal(0, pair.ServerMedia.SocketHandlerErrors);
        Assert.Equal(0, pair.ClientMedia.SocketHandlerErrors);
    }
}
