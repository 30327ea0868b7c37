using PersonaLive.TestSupport;
using PersonaLive.Web.Tests.Browser;

namespace PersonaLive.Web.Tests.EndToEnd;

/// <summary>
/// Stock Firefox ESR (Debian, headless, fake camera preferences only) as a user has it, driven over
/// WebDriver BiDi by puppeteer-core inside the test network's namespace: the Studio goes live with the lite
/// engine and decodes animated output frames, and the share link's Watch page plays the output. Firefox
/// offers no loopback candidates, so these sessions run over the test link only. With
/// iceTransportPolicy "relay" and a real coturn (shared secret, a credential derived per page), Firefox's
/// media goes through the relay and the Studio still decodes the live output.
/// </summary>
[Collection(nameof(LiteEngineEndToEndTests))]
public sealed class FirefoxEsrTests
{
    [Fact]
    public async Task Studio_in_firefox_goes_live_and_decodes_animated_output()
    {
        var run = await RunAsync(watch: false);
        Assert.True(run.StudioFrames >= 50, $"Firefox decoded {run.StudioFrames} output frames in the Studio");
        Assert.Equal("host", run.StudioCandidateType);
    }

    [Fact]
    public async Task Watch_page_in_firefox_plays_the_shared_output()
    {
        var run = await RunAsync(watch: true);
        Assert.Matches("/watch/[A-Za-z0-9_-]{22}$", run.ShareUrl);
        Assert.True(run.WatchFrames >= 20, $"Firefox decoded {run.WatchFrames} frames on the Watch page");
    }

    [Fact]
    public async Task Relay_only_studio_in_firefox_reaches_the_live_output_through_coturn()
    {
        if (!TestTurnServer.IsInstalled) Prerequisite.Missing($"{TestTurnServer.Executable} is not installed (apt-get install coturn).");
        TestTurnServer? turn = null;
        try
        {
            var run = await RunAsync(watch: false, network =>
            {
                turn = TestTurnServer.Start(network);
                return new Dictionary<string, string>
                {
                    ["Rtc:IceTransportPolicy"] = "relay",
                    ["Rtc:IceServers:0:Urls:0"] = $"turn:{turn.Address}:{turn.Port}?transport=udp",
                    ["Rtc:IceServers:0:SharedSecret"] = turn.SharedSecret,
                };
            });
            Assert.True(run.StudioFrames >= 50, $"Firefox decoded {run.StudioFrames} output frames in the Studio");
            Assert.Equal("relay", run.StudioCandidateType);
            // coturn allocated for the credential the app derived for this page.
            Assert.Matches(@"ALLOCATE processed, success|allocation.*success", turn!.Log);
        }
        finally
        {
            turn?.Dispose();
        }
    }

    private static async Task<FirefoxRun> RunAsync(bool watch, Func<TestNetwork, IReadOnlyDictionary<string, string>>? networkSettings = null)
    {
        PuppeteerFirefox.Require();
        if (!File.Exists("/usr/sbin/nft")) Prerequisite.Missing("/usr/sbin/nft is not installed (apt-get install nftables).");
        var ct = TestContext.Current.CancellationToken;
        await using var host = await RealAppHost.StartAsync(null, new Dictionary<string, string>(), ct, networkSettings);
        Assert.Null(host.Network.AddFencedDefaultRoute());
        var shots = Environment.GetEnvironmentVariable("PERSONALIVE_SCREENSHOT_DIR") is { Length: > 0 } dir ? Directory.CreateDirectory(dir).FullName : null;
        var run = await PuppeteerFirefox.RunAsync(host.Network, host.BaseUrl, watch, shots, ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"{run.UserAgent}: studio {run.StudioFrames} frames ({run.StudioCandidateType} candidate), watch {run.WatchFrames} frames");
        Assert.True(run.Error is null, $"Firefox: {run.Error}\nConsole: {string.Join("\n", run.Console ?? [])}");
        Assert.Contains("Firefox/", run.UserAgent, StringComparison.Ordinal);
        return run;
    }
}
