using System.Diagnostics;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Live.Portraits;
using PersonaLive.Web.Live.Sessions;
using SkiaSharp;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// <c>./persona.sh bench storm</c>: 30 users in separate browser contexts of one stock Chromium
/// (<see cref="CdpBrowser"/>, in a test network namespace, <see cref="BrowserStage"/>) press Start
/// (<c>?autostart=ada</c>, lite engine by default); the first Limits:MaxSessions go live, the rest
/// queue. One more user joins the queue; then all 30 contexts are disposed at once, without Stop.
/// Keys: <c>sessions</c> (storm users that were live or queued before the close),
/// <c>slot_free_ms</c> (from the moment the browser has taken the last storm context down to the
/// waiting user's page saying "Live.", i.e. admitted and connected), <c>rss_after_mb</c> (resident
/// memory once the newcomer is live and the departed sessions are gone), <c>threads_growth</c>
/// (once everyone has left, against the baseline taken after a first user came and went, allowing up
/// to 40 s for idle thread-pool threads to retire)
/// and <c>close_ms</c> (how long Chromium took to dispose the 30 contexts; they go one by one).
/// Targets: slot freed in under 5 s, threads back to the baseline.
/// </summary>
public static class StormBenchmark
{
    private const int Users = 30;
    private const string Status = "document.querySelector('.live-status')?.innerText ?? ''";

    public static async Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(TextWriter log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(log);
        await using var stage = await BrowserStage.StartAsync(["--Rtc:ConsentTimeoutSeconds", "60"], ct).ConfigureAwait(false);
        var services = stage.App.Services;
        await services.GetRequiredService<IAnimationEngineFactory>().WarmUpAsync(null, ct).ConfigureAwait(false);
        var sessions = services.GetRequiredService<LiveSessionManager>();
        var admission = sessions.Admission;
        var camera = Path.Combine(stage.Work.FullName, "camera.y4m");
        var preset = services.GetRequiredService<PresetPortraits>().Find("ada")!;
        Y4mVideo.Write(camera, 160, 120, 15, Y4mVideo.MovingFace(preset.Png, 160, 120, 15, new SKColor(120, 130, 140)));
        await using var browser = await CdpBrowser.StartAsync(stage, camera, ct).ConfigureAwait(false);
        // one user goes live and leaves first, so the baseline has every thread a first session creates for good
        var first = await browser.OpenUserAsync(stage.BaseUrl + "/?autostart=ada", ct).ConfigureAwait(false);
        await WaitLiveAsync(browser, first.Session, TimeSpan.FromSeconds(60), ct).ConfigureAwait(false);
        await browser.CloseUserAsync(first.Context, ct).ConfigureAwait(false);
        await WaitAsync(() => sessions.ActiveCount == 0 && admission.Active == 0, TimeSpan.FromSeconds(30), admission, ct).ConfigureAwait(false);
        await Task.Delay(1000, ct).ConfigureAwait(false);
        GC.Collect();
        int baselineThreads = Process.GetCurrentProcess().Threads.Count;
        log.WriteLine($"storm: {admission.MaxSessions} slots, {baselineThreads} threads before the storm ({MemoryProbe.ThreadNames()}); opening {Users} users…");

        var storm = new List<(string Context, string Session)>();
        for (int i = 0; i < Users; i++)
        {
            storm.Add(await browser.OpenUserAsync(stage.BaseUrl + "/?autostart=ada", ct).ConfigureAwait(false));
        }

        int expectedWaiting = Math.Max(0, Users - admission.MaxSessions);
        await WaitAsync(() => admission.Active == Math.Min(Users, admission.MaxSessions) && admission.Waiting == expectedWaiting, TimeSpan.FromSeconds(120), admission, ct).ConfigureAwait(false);
        int inStorm = admission.Active + admission.Waiting;
        log.WriteLine($"storm: {admission.Active} live, {admission.Waiting} queued, rss {MemoryProbe.StatusMb("VmRSS"):0} MB");

        var newcomer = await browser.OpenUserAsync(stage.BaseUrl + "/?autostart=ada", ct).ConfigureAwait(false);
        await WaitAsync(() => admission.Waiting == expectedWaiting + 1, TimeSpan.FromSeconds(60), admission, ct).ConfigureAwait(false);
        log.WriteLine($"storm: newcomer queued: \"{await browser.EvaluateAsync(newcomer.Session, Status, ct).ConfigureAwait(false)}\"");

        var clock = Stopwatch.StartNew();
        await Task.WhenAll(storm.Select(u => browser.CloseUserAsync(u.Context, ct))).ConfigureAwait(false);
        double closeMs = clock.Elapsed.TotalMilliseconds;
        log.WriteLine($"storm: {storm.Count} contexts disposed in {closeMs:0} ms (the browser takes them down one by one)");
        clock.Restart();
        double? admittedMs = null;
        await WaitLiveAsync(browser, newcomer.Session, TimeSpan.FromSeconds(120), ct,
            () => admittedMs ??= admission.Waiting == 0 && admission.Active >= 1 ? clock.Elapsed.TotalMilliseconds : null).ConfigureAwait(false);
        double slotFreeMs = clock.Elapsed.TotalMilliseconds;
        log.WriteLine($"storm: newcomer admitted after {admittedMs ?? slotFreeMs:0} ms, page says Live. after {slotFreeMs:0} ms");
        await WaitAsync(() => sessions.ActiveCount == 1 && admission.Active == 1, TimeSpan.FromSeconds(30), admission, ct).ConfigureAwait(false);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        double rss = MemoryProbe.StatusMb("VmRSS");
        log.WriteLine($"storm: after: {sessions.ActiveCount} session, {MemoryProbe.Describe()}");
        await browser.CloseUserAsync(newcomer.Context, ct).ConfigureAwait(false);
        await WaitAsync(() => sessions.ActiveCount == 0 && admission.Active == 0, TimeSpan.FromSeconds(30), admission, ct).ConfigureAwait(false);
        // thread-pool threads the storm made the pool inject retire after about 20 s idle; wait up to 40 s for that
        var settle = Stopwatch.StartNew();
        int threads = Process.GetCurrentProcess().Threads.Count;
        while (threads > baselineThreads && settle.Elapsed < TimeSpan.FromSeconds(40))
        {
            await Task.Delay(1000, ct).ConfigureAwait(false);
            threads = Process.GetCurrentProcess().Threads.Count;
        }

        log.WriteLine($"storm: everyone gone, threads {threads} after {settle.Elapsed.TotalSeconds:0} s: {MemoryProbe.ThreadNames()}");
        return
        [
            new("sessions", inStorm), new("slot_free_ms", Math.Round(slotFreeMs)), new("rss_after_mb", Math.Round(rss)),
            new("threads_growth", threads - baselineThreads), new("close_ms", Math.Round(closeMs)),
        ];
    }

    private static async Task WaitLiveAsync(CdpBrowser browser, string page, TimeSpan timeout, CancellationToken ct, Action? poll = null)
    {
        var clock = Stopwatch.StartNew();
        string status;
        while (!(status = await browser.EvaluateAsync(page, Status, ct).ConfigureAwait(false)).StartsWith("Live.", StringComparison.Ordinal))
        {
            poll?.Invoke();
            if (clock.Elapsed > timeout) throw new TimeoutException($"The page never went live; it says \"{status}\".");
            await Task.Delay(20, ct).ConfigureAwait(false);
        }
    }

    private static async Task WaitAsync(Func<bool> done, TimeSpan timeout, AdmissionController admission, CancellationToken ct)
    {
        var until = Stopwatch.StartNew();
        while (!done())
        {
            if (until.Elapsed > timeout) throw new TimeoutException($"The storm did not reach the expected state in time: {admission.Active} live, {admission.Waiting} queued.");
            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }
}
