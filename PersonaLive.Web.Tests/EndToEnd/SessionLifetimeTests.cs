using System.Diagnostics;
using Microsoft.Playwright;
using PersonaLive.Web.Live.Benchmarks;
using PersonaLive.Web.Live.Pipeline;
using PersonaLive.Web.Live.Portraits;
using PersonaLive.Web.Tests.Hosting;
using SkiaSharp;

namespace PersonaLive.Web.Tests.EndToEnd;

/// <summary>
/// How sessions end for real users in Chromium on the real stack: Stop always reads as Stopped, and
/// people who close their tab without Stop give their slot to the next person within seconds, with
/// /metrics agreeing with what the queue tells people. Runs alone: /metrics reads the process-wide
/// meter by name, so a host started by a parallel test would add its own series.
/// </summary>
[Collection(nameof(SessionLifetimeTests))]
public sealed class SessionLifetimeTests
{
    private static async Task<(RealAppHost Host, DirectoryInfo Work)> StartAsync(int maxSessions, CancellationToken ct)
    {
        var work = Directory.CreateTempSubdirectory("personalive-lifetime-");
        var y4m = Path.Combine(work.FullName, "camera.y4m");
        var preset = new PresetPortraits().Find("ada")!;
        Y4mVideo.Write(y4m, 160, 120, 15, Y4mVideo.MovingFace(preset.Png, 160, 120, 15, new SKColor(120, 130, 140)));
        var host = await RealAppHost.StartAsync(y4m, new Dictionary<string, string>
        {
            ["Live:EchoEngineDelayMs"] = "0",
            ["Limits:MaxSessions"] = maxSessions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Rtc:ConsentTimeoutSeconds"] = "60", // only the departure of the page may free the slots quickly
        }, ct);
        return (host, work);
    }

    private static async Task<IPage> GoLiveAsync(RealAppHost host, string expectedStatus)
    {
        var page = await host.OpenStudioAsync();
        await page.Locator(".preset").First.ClickAsync();
        await page.Locator("button.start").ClickAsync();
        await Assertions.Expect(page.Locator(".live-status")).ToContainTextAsync(expectedStatus, new() { Timeout = 30_000 });
        return page;
    }

    [Fact]
    public async Task Twenty_consecutive_Stop_clicks_each_end_as_Stopped()
    {
        var ct = TestContext.Current.CancellationToken;
        var (host, work) = await StartAsync(1, ct);
        try
        {
            var reasons = new System.Collections.Concurrent.ConcurrentQueue<SessionEndReason>();
            host.Sessions.SessionEnded += (_, end) => reasons.Enqueue(end.Reason);
            var page = await GoLiveAsync(host, "Live.");
            for (var i = 0; i < 20; i++)
            {
                if (i > 0)
                {
                    await page.Locator("button.start").ClickAsync();
                    await Assertions.Expect(page.Locator(".live-status")).ToContainTextAsync("Live.", new() { Timeout = 30_000 });
                }
                await page.Locator("button.stop").ClickAsync();
                await Assertions.Expect(page.Locator(".live-status")).ToHaveTextAsync("Stopped. Press Start to go live again.", new() { Timeout = 10_000 });
                await Task.Delay(300, ct); // a late close from either side must not rewrite the message
                Assert.Equal("Stopped. Press Start to go live again.", (await page.Locator(".live-status").InnerTextAsync()).Trim());
            }
            var until = DateTime.UtcNow.AddSeconds(5);
            while (reasons.Count < 20 && DateTime.UtcNow < until) await Task.Delay(50, ct);
            Assert.Equal(Enumerable.Repeat(SessionEndReason.Stopped, 20), reasons);
        }
        finally
        {
            await host.DisposeAsync();
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_storm_of_closed_tabs_frees_every_slot_and_the_next_person_goes_live_within_five_seconds()
    {
        var ct = TestContext.Current.CancellationToken;
        const int slots = 3, queued = 2;
        var (host, work) = await StartAsync(slots, ct);
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(host.BaseUrl) };
            var storm = new List<IPage>();
            for (var i = 0; i < slots; i++) storm.Add(await GoLiveAsync(host, "Live."));
            for (var i = 0; i < queued; i++) storm.Add(await GoLiveAsync(host, $"You are number {i + 1} in the queue"));

            var newcomer = await GoLiveAsync(host, $"You are number {queued + 1} in the queue");

            var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);
            Assert.Equal(slots, PrometheusLiveMetricsTests.Value(metrics, "personalive_sessions_active"));
            Assert.Equal(queued + 1, PrometheusLiveMetricsTests.Value(metrics, "personalive_sessions_waiting"));

            var clock = Stopwatch.StartNew();
            await Task.WhenAll(storm.Select(p => p.Context.CloseAsync())); // no Stop: the tabs just go away
            await Assertions.Expect(newcomer.Locator(".live-status")).ToContainTextAsync("Live.", new() { Timeout = 30_000 });
            var liveAfter = clock.Elapsed;
            TestContext.Current.TestOutputHelper?.WriteLine($"the waiting user was live {liveAfter.TotalSeconds:0.0} s after {storm.Count} tabs closed");
            Assert.True(liveAfter < TimeSpan.FromSeconds(5), $"the newcomer went live only {liveAfter.TotalSeconds:0.0} s after the storm left");

            var until = DateTime.UtcNow.AddSeconds(5);
            while ((host.Sessions.ActiveCount != 1 || host.Sessions.Admission.Waiting != 0 || host.Sessions.Admission.Active != 1) && DateTime.UtcNow < until)
                await Task.Delay(50, ct);
            metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);
            Assert.Equal(1, PrometheusLiveMetricsTests.Value(metrics, "personalive_sessions_active"));
            Assert.Equal(0, PrometheusLiveMetricsTests.Value(metrics, "personalive_sessions_waiting"));
            Assert.Equal(0, PrometheusLiveMetricsTests.Value(metrics, "personalive_sessions_ending"));
            Assert.Equal(1, host.Sessions.Admission.Active);
            await newcomer.Context.CloseAsync();
        }
        finally
        {
            await host.DisposeAsync();
            work.Delete(recursive: true);
        }
    }
}

/// <summary>Keeps <see cref="SessionLifetimeTests"/> away from other hosts in the same test process.</summary>
[CollectionDefinition(nameof(SessionLifetimeTests), DisableParallelization = true)]
public sealed class SessionLifetimeCollection;
