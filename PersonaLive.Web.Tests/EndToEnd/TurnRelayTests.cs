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
/// is TURN over TCP. Bad TURN settings are explained in the Studio naming the server and what failed: a
/// wrong shared secret and wrong fixed credentials (coturn answers 401), and a TURN URL where nothing
/// listens (no answer), each with iceTransportPolicy "relay" so no other path hides the failure.
/// </summary>
[Collection(nameof(LiteEngineEndToEndTests))]
public sealed class TurnRelayTests
{
    /// <summary>What a test gives the app as its TURN server.</summary>
    private enum Turn
    {
        /// <summary>coturn with the right shared secret.</summary>
        Good,

        /// <summary>coturn, the app holding another secret: every derived credential is refused.</summary>
        WrongSecret,

        /// <summary>coturn, the app holding a fixed username and password coturn does not know.</summary>
        WrongCredentials,

        /// <summary>A TURN URL on the test link where nothing listens (no coturn at all).</summary>
        NothingListens,
    }

    [Fact]
    public Task Relay_only_session_reaches_the_live_output_through_coturn() => RunAsync(blockUdp: false, Turn.Good);

    [Fact]
    public Task Session_works_through_turn_over_tcp_when_udp_is_blocked() => RunAsync(blockUdp: true, Turn.Good);

    [Fact]
    public Task Wrong_turn_secret_is_explained_in_the_studio_naming_the_server() => RunAsync(blockUdp: false, Turn.WrongSecret);

    [Fact]
    public Task Wrong_turn_credentials_are_explained_in_the_studio_naming_the_server() => RunAsync(blockUdp: false, Turn.WrongCredentials);

    [Fact]
    public Task Turn_server_where_nothing_listens_is_explained_in_the_studio_naming_it() => RunAsync(blockUdp: false, Turn.NothingListens);

    [Fact]
    public Task Dead_turn_server_leaves_a_session_that_connected_directly_alone() => RunAsync(blockUdp: false, Turn.NothingListens, relayOnly: false);

    private static async Task RunAsync(bool blockUdp, Turn kind, bool relayOnly = true)
    {
        if (!TestTurnServer.IsInstalled) Prerequisite.Missing($"{TestTurnServer.Executable} is not installed (apt-get install coturn).");
        bool wrong = kind != Turn.Good && relayOnly;
        if (blockUdp && !File.Exists("/usr/sbin/nft")) Prerequisite.Missing("/usr/sbin/nft is not installed (apt-get install nftables).");
        var ct = TestContext.Current.CancellationToken;
        var y4m = Path.Combine(Path.GetTempPath(), $"turn-{Guid.NewGuid():N}.y4m");
        Y4mVideo.Write(y4m, 320, 240, 25, Y4mVideo.MovingFace(new PresetPortraits().Find("ada")!.Png, 320, 240, 25, new SKColor(120, 130, 140)));
        TestTurnServer? turn = null;
        string? serverUrl = null;
        try
        {
            await using var host = await RealAppHost.StartAsync(y4m, new Dictionary<string, string>
            {
                ["Live:EchoEngineDelayMs"] = "0",
                ["Rtc:IceTransportPolicy"] = blockUdp || !relayOnly ? "all" : "relay",
            }, ct, network =>
            {
                if (kind == Turn.NothingListens)
                {
                    serverUrl = $"turn:{network.HostAddress}:{FreeUdpPort(network.HostAddress)}?transport=udp";
                    return new Dictionary<string, string>
                    {
                        ["Rtc:IceServers:0:Urls:0"] = serverUrl, ["Rtc:IceServers:0:Username"] = "someone", ["Rtc:IceServers:0:Credential"] = "anything",
                    };
                }

                turn = TestTurnServer.Start(network);
                serverUrl = blockUdp ? $"turn:{turn.Address}:{turn.Port}?transport=tcp" : $"turn:{turn.Address}:{turn.Port}?transport=udp";
                var settings = new Dictionary<string, string> { ["Rtc:IceServers:0:Urls:0"] = serverUrl };
                if (kind == Turn.WrongCredentials)
                {
                    settings["Rtc:IceServers:0:Username"] = "someone";
                    settings["Rtc:IceServers:0:Credential"] = "not-their-password";
                }
                else
                {
                    settings["Rtc:IceServers:0:SharedSecret"] = kind == Turn.WrongSecret ? "not-the-secret-of-this-server" : turn.SharedSecret;
                    settings["Rtc:IceServers:0:CredentialTtlSeconds"] = "600";
                }

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
            if (wrong)
            {
                // The Studio names the server the browser was given and says what failed.
                await Assertions.Expect(page.Locator(".studio")).ToContainTextAsync(serverUrl!, new() { Timeout = 55_000 });
                var text = await page.Locator(".studio").InnerTextAsync();
                TestContext.Current.TestOutputHelper?.WriteLine(text);
                if (Environment.GetEnvironmentVariable("PERSONALIVE_SCREENSHOT_DIR") is { Length: > 0 } shots)
                    await page.ScreenshotAsync(new() { Path = Path.Combine(Directory.CreateDirectory(shots).FullName, $"studio-turn-{kind}.png") });
                Assert.Contains("ICE server", text, StringComparison.Ordinal);
                Assert.Contains(kind == Turn.NothingListens ? "no answer" : "credentials rejected (401)", text, StringComparison.Ordinal);
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
                TestContext.Current.TestOutputHelper?.WriteLine(string.Join('\n', (turn?.Log ?? "").Split('\n').Where(l => l.Contains("session", StringComparison.OrdinalIgnoreCase)).TakeLast(30)));
            }

            // coturn relayed this session: an allocation for a credential the app derived (username "expiry:label").
            if (turn is null)
            {
                // Past the page's wait for a relay candidate: a session that connected directly keeps going, no message.
                const string frames = "() => document.querySelector('video.output-video').getVideoPlaybackQuality().totalVideoFrames";
                await page.WaitForTimeoutAsync(9_000);
                int before = await page.EvaluateAsync<int>(frames);
                await page.WaitForTimeoutAsync(1_000);
                Assert.DoesNotContain("ICE server", await page.Locator(".studio").InnerTextAsync(), StringComparison.Ordinal);
                Assert.True(await page.Locator("button.stop").IsVisibleAsync(), "the session should still be live");
                Assert.True(await page.EvaluateAsync<int>(frames) > before, "output frames should keep coming");
                return;
            }

            Assert.Matches(@"ALLOCATE processed, success|allocation.*success", turn.Log);
        }
        finally
        {
            turn?.Dispose();
            File.Delete(y4m);
        }
    }

    /// <summary>A UDP port on <paramref name="address"/> that nothing listens on right now.</summary>
    private static int FreeUdpPort(System.Net.IPAddress address)
    {
        using var probe = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(address, 0));
        return ((System.Net.IPEndPoint)probe.Client.LocalEndPoint!).Port;
    }
}
