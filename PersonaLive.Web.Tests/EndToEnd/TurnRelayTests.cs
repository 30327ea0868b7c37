using Microsoft.Playwright;
using PersonaLive.TestSupport;
using PersonaLive.Web.Live.Benchmarks;
using PersonaLive.Web.Live.Portraits;
using SkiaSharp;

namespace PersonaLive.Web.Tests.EndToEnd;

/// <summary>
/// TURN as deployments use it: a real coturn (Debian) on the test network's host address with a shared
/// secret (TURN REST API); the app hands each page its own time-limited credential. Stock Chromium in
/// the namespace reaches the live output (1) with iceTransportPolicy "relay", so only relayed candidates
/// may carry media, and (2) with all UDP out of its namespace dropped by nftables, so the only way left
/// is TURN over TCP. A wrong secret is reported in the Studio naming the TURN server.
/// </summary>
[Collection(nameof(LiteEngineEndToEndTests))]
public sealed class TurnRelayTests
{
    [Fact]
    public Task Relay_only_session_reaches_the_live_output_through_coturn() => RunAsync(blockUdp: false, wrongSecret: false);

    [Fact]
    public Task Session_works_through_turn_over_tcp_when_udp_is_blocked() => RunAsync(blockUdp: true, wrongSecret: false);

    [Fact]
    public Task Wrong_turn_secret_is_explained_in_the_studio_naming_the_server() => RunAsync(blockUdp: false, wrongSecret: true);

    private static async Task RunAsync(bool blockUdp, bool wrongSecret)
    {
        if (!TestTurnServer.IsInstalled) Prerequisite.Missing($"{TestTurnServer.Executable} is not installed (apt-get install coturn).");
        if (blockUdp && !File.Exists("/usr/sbin/nft")) Prerequisite.Missing("/usr/sbin/nft is not installed (apt-get install nftables).");
        var ct = TestContext.Current.CancellationToken;
        var y4m = Path.Combine(Path.GetTempPath(), $"turn-{Guid.NewGuid():N}.y4m");
        Y4mVideo.Write(y4m, 320, 240, 25, Y4mVideo.MovingFace(new PresetPortraits().Find("ada")!.Png, 320, 240, 25, new SKColor(120, 130, 140)));
        TestTurnServer? turn = null;
        try
        {
            await using var host = await RealAppHost.StartAsync(y4m, new Dictionary<string, string>
            {
                ["Live:EchoEngineDelayMs"] = "0",
                ["Rtc:IceTransportPolicy"] = blockUdp ? "all" : "relay",
            }, ct, network =>
            {
                turn = TestTurnServer.Start(network);
                var urls = blockUdp ? new[] { $"turn:{turn.Address}:{turn.Port}?transport=tcp" } : [$"turn:{turn.Address}:{turn.Port}?transport=udp"];
                var settings = new Dictionary<string, string>
                {
                    ["Rtc:IceServers:0:SharedSecret"] = wrongSecret ? "not-the-secret-of-this-server" : turn.SharedSecret,
                    ["Rtc:IceServers:0:CredentialTtlSeconds"] = "600",
                };
                for (int i = 0; i < urls.Length; i++) settings[$"Rtc:IceServers:0:Urls:{i}"] = urls[i];
                return settings;
            });
            if (blockUdp)
            {
                Assert.Null(TestNetwork.Ip("netns", "exec", host.Network.Namespace, "nft", "add", "table", "inet", "persona_test"));
                Assert.Null(TestNetwork.Ip("netns", "exec", host.Network.Namespace, "nft", "add", "chain", "inet", "persona_test", "out",
                    "{ type filter hook output priority 0 ; }"));
                Assert.Null(TestNetwork.Ip("netns", "exec", host.Network.Namespace, "nft", "add", "rule", "inet", "persona_test", "out", "meta", "l4proto", "udp", "drop"));
            }

            var page = await host.OpenAsync("/?autostart=ada");
            await page.EvaluateAsync(@"() => { const P = window.RTCPeerConnection; window.__pcs = []; window.RTCPeerConnection = function (c) { const pc = new P(c); window.__pcs.push(pc); return pc; }; window.RTCPeerConnection.prototype = P.prototype; }");
            if (wrongSecret)
            {
                await Assertions.Expect(page.Locator(".studio")).ToContainTextAsync($"turn:{turn!.Address}:{turn.Port}", new() { Timeout = 60_000 });
                var text = await page.Locator(".studio").InnerTextAsync();
                Assert.Contains("ICE server", text, StringComparison.Ordinal);
                TestContext.Current.TestOutputHelper?.WriteLine(text);
                return;
            }

            await page.Locator("video.output-video").WaitForAsync(new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });
            try
            {
                // Frames the output video presented (queried on the element there is now: Blazor may replace it while going live).
                await page.WaitForFunctionAsync("() => { const v = document.querySelector('video.output-video'); return v && v.getVideoPlaybackQuality().totalVideoFrames >= 50; }",
                    null, new() { Timeout = 45_000, PollingInterval = 200 });
            }
            finally
            {
                TestContext.Current.TestOutputHelper?.WriteLine(await page.EvaluateAsync<string>(@"async () => {
                    const out = [];
                    for (const pc of (window.__pcs || [])) { (await pc.getStats()).forEach(s => { if (s.type === 'inbound-rtp' || s.type === 'outbound-rtp' || (s.type === 'candidate-pair' && s.nominated) || s.type === 'local-candidate') out.push(JSON.stringify(s)); }); }
                    return out.join('\n'); }"));
                TestContext.Current.TestOutputHelper?.WriteLine(string.Join('\n', turn!.Log.Split('\n').Where(l => l.Contains("session", StringComparison.OrdinalIgnoreCase)).TakeLast(30)));
            }

            // coturn relayed this session: an allocation for a credential the app derived (username "expiry:label").
            Assert.Matches(@"ALLOCATE processed, success|allocation.*success", turn!.Log);
        }
        finally
        {
            turn?.Dispose();
            File.Delete(y4m);
        }
    }
}
