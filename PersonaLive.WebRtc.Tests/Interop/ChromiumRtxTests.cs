using System.Text.Json;
using PersonaLive.WebRtc.Benchmarks;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Interop;

/// <summary>
/// RTX (RFC 4588) against real headless Chromium: its offer carries <c>rtx</c> with <c>apt</c>, our answer
/// takes it and announces our RTX SSRC, and once connected a relay between the page and our server drops
/// 5 % of the datagrams both ways. Chromium NACKs what it misses, our resends all travel on the RTX
/// stream, and it still decodes our video; its own resends to us arrive on its RTX stream and are restored.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class ChromiumRtxTests
{
    [Fact]
    public async Task Chromium_negotiates_rtx_and_gets_our_resends_on_it_under_loss()
    {
        ChromiumWebRtcTests.SkipWithoutChromium();
        var ct = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper!;
        string work = Directory.CreateTempSubdirectory("webrtc-chromium-rtx-").FullName;
        using var logs = new TestLoggerFactory();
        using var network = BrowserHarness.RequireNetwork();
        await using var media = new RtcMediaServer(new RtcOptions { MediaPort = 0, BindAddress = network.HostAddress.ToString() }, logs);
        using var relay = new LossyUdpRelay(media.LocalEndPoint, lossRate: 0, seed: 4588, bindAddress: network.HostAddress);
        RtcPeerConnection? pc = null;
        string? answer = null;
        long decodedByUs = 0;
        using var sendLoop = new CancellationTokenSource();
        string json;
        try
        {
            json = await BrowserHarness.RunAsync(network, "camera", ChromiumWebRtcTests.WriteClip(work), offer =>
            {
                pc = media.CreatePeerConnection();
                pc.FrameDecoded += (_, _) => Interlocked.Increment(ref decodedByUs);
                var self = pc;
                pc.ConnectionStateChanged += (_, s) =>
                {
                    if (s == PeerConnectionState.Connected)
                    {
                        relay.LossRate = 0.05; // the handshake went through clean; media now crosses a lossy path
                        relay.DropEveryNthRtpToClient = 12; // and some of our packets are lost for certain (only ~60 cross in the test)
                        _ = ChromiumWebRtcTests.SendSolidFrames(self, 81, 90, 240, sendLoop.Token);
                    }
                };
                answer = pc.CreateAnswer(offer).Replace($" {media.LocalEndPoint.Port} typ host", $" {relay.ClientFacing.Port} typ host", StringComparison.Ordinal);
                return answer;
            }, output, ct);
        }
        finally
        {
            sendLoop.Cancel();
        }

        var stats = pc!.GetStats();
        output.WriteLine("page result: " + json);
        output.WriteLine($"relay dropped {relay.Dropped} of {relay.Forwarded + relay.Dropped}; server: {stats}");
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.False(root.TryGetProperty("error", out var error), error.ToString());
        Assert.Matches(@"a=fmtp:\d+ apt=\d+", answer);
        Assert.Contains("a=ssrc-group:FID ", answer, StringComparison.Ordinal);
        Assert.True(relay.Dropped > 0, "the relay dropped nothing");
        Assert.True(stats.NacksReceived > 0, "Chromium sent no NACK despite the loss");
        Assert.True(stats.RtxSent > 0, $"no resend on the RTX stream ({stats.Retransmissions} resends)");
        // With RTX negotiated, no plain resend: each resend on the RTX stream, some twice (a copy while the path has no queue).
        Assert.InRange(stats.RtxSent, stats.Retransmissions, 2 * stats.Retransmissions);
        Assert.True(root.GetProperty("framesDecoded").GetInt32() > 30, "Chromium decoded too few of our frames");
        Assert.True(Interlocked.Read(ref decodedByUs) > 30, "we decoded too few of Chromium's frames");
        output.WriteLine($"Chromium's resends restored from its RTX stream: {stats.RtxReceived}");
        Directory.Delete(work, recursive: true);
    }
}
