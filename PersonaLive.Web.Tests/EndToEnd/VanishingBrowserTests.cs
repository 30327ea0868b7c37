using PersonaLive.TestSupport;
using System.Diagnostics;
using PersonaLive.Web.Live.Benchmarks;
using PersonaLive.Web.Live.Portraits;
using SkiaSharp;

namespace PersonaLive.Web.Tests.EndToEnd;

/// <summary>
/// A real Chromium that goes live and is then killed (SIGKILL: no RTCP BYE, no DTLS close_notify, no
/// circuit goodbye) must not leave its session behind: the server ends it by ICE consent timeout
/// (RFC 7675), configured short here, and frees its peer connection and admission slot.
/// </summary>
public sealed class VanishingBrowserTests
{
    private const int ConsentTimeoutSeconds = 3;

    [Fact]
    public async Task A_killed_browser_is_cleaned_up_by_the_consent_timeout()
    {
        var ct = TestContext.Current.CancellationToken;
        var work = Directory.CreateTempSubdirectory("personalive-vanish-");
        var y4m = Path.Combine(work.FullName, "camera.y4m");
        var preset = new PresetPortraits().Find("ada")!;
        Y4mVideo.Write(y4m, 320, 240, 25, Y4mVideo.MovingFace(preset.Png, 320, 240, 25, new SKColor(120, 130, 140)));
        Process? chromium = null;
        try
        {
            await using var host = await RealAppHost.StartAsync(y4m, new Dictionary<string, string>
            {
                ["Live:EchoEngineDelayMs"] = "0",
                ["Rtc:ConsentTimeoutSeconds"] = ConsentTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Limits:IdleTimeoutSeconds"] = "600", // only the consent timeout may end it
                ["Limits:DepartedGraceSeconds"] = "600", // (the page's dropped circuit would end it first: SessionLifetimeTests)
            }, ct);
            string? endReason = null;
            var endKind = (PersonaLive.Web.Live.Pipeline.SessionEndReason)(-1);
            host.Sessions.SessionEnded += (_, end) => { endKind = end.Reason; Volatile.Write(ref endReason, end.Message); };
            chromium = StockChromium.Start(host.BaseUrl + "/?autostart=ada", y4m, Path.Combine(work.FullName, "profile"), host.Network);
            var until = DateTime.UtcNow.AddSeconds(60);
            while (host.Latencies.Count < 5) // live: frames went round trip and were displayed
            {
                if (DateTime.UtcNow > until) Assert.Fail("the browser never went live");
                await Task.Delay(100, ct);
            }
            Assert.Equal(1, host.Sessions.ActiveCount);
            Assert.Equal(1, host.PeerConnections);

            chromium.Kill(entireProcessTree: true);
            await chromium.WaitForExitAsync(ct);
            var clock = Stopwatch.StartNew();
            while (host.Sessions.ActiveCount > 0 || host.PeerConnections > 0 || host.Sessions.Admission.Active > 0 || Volatile.Read(ref endReason) is null)
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(ConsentTimeoutSeconds + 5)) Assert.Fail($"the session outlived the consent timeout: {clock.Elapsed.TotalSeconds:0.0} s");
                await Task.Delay(50, ct);
            }
            TestContext.Current.TestOutputHelper?.WriteLine($"session and peer connection gone {clock.Elapsed.TotalSeconds:0.0} s after the browser was killed (consent timeout {ConsentTimeoutSeconds} s): \"{endReason}\"");
            Assert.Equal("The connection to your browser was lost.", endReason); // the peer failed (consent), not a page goodbye
            Assert.Equal(PersonaLive.Web.Live.Pipeline.SessionEndReason.ConnectionLost, endKind);
            // Chromium sends consent checks every few seconds (RFC 7675: 4-6 s randomised, or faster), so the
            // last one can predate the kill by a little; the end must still come from the timeout, not at once.
            Assert.True(clock.Elapsed > TimeSpan.FromSeconds(0.5), $"ended {clock.Elapsed.TotalSeconds:0.0} s after the kill: not by the consent timeout");
        }
        finally
        {
            if (chromium is { HasExited: false }) chromium.Kill(entireProcessTree: true);
            chromium?.Dispose();
            try { work.Delete(recursive: true); } catch (IOException) { }
        }
    }
}
