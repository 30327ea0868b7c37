using System.Diagnostics;
using PersonaLive.TestSupport;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// <c>./persona.sh bench network [--seconds N]</c>: our stack and aiortc over the same shaped networks, in
/// the same run. A <see cref="NetworkLab"/> puts the server side (our host with the echo engine, then
/// the aiortc echo peer, which decodes and re-encodes VP8 at the same size, <see cref="OutputSize"/>) in one namespace and the
/// synthetic client in the other, and plays each <see cref="NetworkScenario"/> (2 Mbit/s 40 ms; 1 Mbit/s
/// 100 ms 1 % loss; 500 kbit/s 200 ms; a 3 -> 0.6 -> 3 Mbit/s step; 5 % bursty loss) to a fresh session on
/// each server in turn. The client measures glass to glass through the picture (<see cref="LabClient"/>),
/// freezes (longest gap between decoded output frames) and goodput (output video payload). The first
/// <see cref="WarmUpSeconds"/> of each scenario are left out (connection, first keyframes, ramp-up).
/// Finally stock Chromium, in the client namespace, runs the 1 Mbit/s scenario against our host with the
/// page's own glass-to-glass measurement (as the e2e benchmark). N (default 30) is the length of the
/// 1 Mbit/s scenario; the others scale with it. <see cref="OnlyVariable"/> runs a few scenarios alone
/// for development; <see cref="SenderTrace"/> logs our sender once a second.
/// <para>Keys: g2g_p95_ms_1mbit, g2g_p95_ms_step (whole step scenario), freeze_ms_max (every scenario),
/// utilisation_pct (1 Mbit/s scenario: goodput / bottleneck), recover_s (after the step up, until goodput
/// over 1 s reaches 90 % of the new 3 Mbit/s, the link's rate, not our configuration's; the phase length
/// when never: with this camera loop our 512x512 VP8 tops out near 1.8 Mbit/s even at its lowest
/// quantizer, so the link is not filled and recover_s_to_before is the figure that moves), aiortc_g2g_p95_ms_1mbit;
/// then queue_ms_after_drop (median glass to glass 3-5 s after the drop minus the median before it),
/// recover_reached (1 or 0), recover_s_to_before (to 90 % of the goodput before the drop), per-scenario
/// p95 and freezes for both servers, and chromium_g2g_p95_ms_1mbit.</para>
/// </summary>
public static class NetworkBenchmark
{
    /// <summary>Seconds left out at the start of each scenario.</summary>
    public const double WarmUpSeconds = 3;

    /// <summary>
    /// Side of the server's square output, ours and aiortc's: 512, what the live engines send (a 256x256
    /// stream tops out near 0.9 Mbit/s, so it could neither fill 1 Mbit/s nor show a recovery to 3 Mbit/s).
    /// </summary>
    public const int OutputSize = 512;

    /// <summary>Our sender's bitrate ceiling in the benchmark (kb/s): above the step scenario's 3 Mbit/s, so the link limits, not the configuration.</summary>
    public const int MaxBitrateKbps = 4000;

    /// <summary>Environment variable naming scenarios to run alone (comma separated), ours only, for development; the BENCH line then has only their own keys.</summary>
    public const string OnlyVariable = "PERSONA_NETWORK_SCENARIOS";

    private static readonly string[] HostArguments =
    [
        "--Live:EchoEngineOutputSize", $"{OutputSize}", "--Rtc:MaxOutgoingBitrateKbps", $"{MaxBitrateKbps}",
    ];

    /// <summary>The lab client's camera: 320x240 (both servers scale it to 256x256; a small camera keeps the client's encoder cheap on a loaded machine).</summary>
    private const int CameraWidth = 320, CameraHeight = 240;

    public static async Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(int? seconds, TextWriter log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (AiortcEchoPeer.Missing is { } missing) throw new InvalidOperationException(missing);
        double scale = Math.Max(10, seconds ?? 30) / 30.0;
        var only = Environment.GetEnvironmentVariable(OnlyVariable)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var scenarios = NetworkScenario.All.Where(s => only is null || only.Contains(s.Name)).Select(s => s.Scaled(scale)).ToList();
        using var lab = NetworkLab.Create();
        log.WriteLine($"network: lab {lab.ServerNamespace} <-> {lab.ClientNamespace}; {scenarios.Count} scenarios, {scenarios.Sum(s => s.Seconds):0} s per server; output {OutputSize}x{OutputSize}");
        await using var host = await LabHost.StartAsync(lab, ct, HostArguments).ConfigureAwait(false);
        await using var aiortc = AiortcEchoPeer.Start(lab, OutputSize);
        var camera = SyntheticLiveClient.CameraLoop(host.FacePng, CameraWidth, CameraHeight, 50);
        var ours = new Dictionary<string, Summary>();
        var theirs = new Dictionary<string, Summary>();
        try
        {
            foreach (var scenario in scenarios)
            {
                using (SenderTrace.Start(host, log))
                {
                    ours[scenario.Name] = await PlayAsync(lab, scenario, LabClient.Offering(lab, host.AnswerAsync), camera, "ours", log, ct).ConfigureAwait(false);
                }

                if (only is null) theirs[scenario.Name] = await PlayAsync(lab, scenario, LabClient.Answering(lab, aiortc), camera, "aiortc", log, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var frame in camera) frame.Dispose();
        }

        if (only is not null) // a partial development run: the scenarios' own figures only
        {
            return ours.SelectMany(o => new KeyValuePair<string, double>[]
            {
                new($"g2g_p95_ms_{o.Key}", o.Value.P95), new($"freeze_ms_{o.Key}", o.Value.FreezeMs),
                new($"goodput_kbps_{o.Key}", o.Value.GoodputKbps), new($"queue_ms_after_drop_{o.Key}", o.Value.QueueAfterDropMs),
                new($"recover_s_{o.Key}", o.Value.RecoverS), new($"recover_s_to_before_{o.Key}", o.Value.RecoverToBeforeS),
            }).Where(k => !double.IsNaN(k.Value)).ToList();
        }

        double chromium = await ChromiumOneMbitAsync(lab, host, scenarios[1], log, ct).ConfigureAwait(false);
        var step = ours["step"];
        KeyValuePair<string, double>[] keys =
        [
            new("g2g_p95_ms_1mbit", ours["1mbit"].P95),
            new("g2g_p95_ms_step", step.P95),
            new("freeze_ms_max", ours.Values.Max(s => s.FreezeMs)),
            new("utilisation_pct", Math.Round(ours["1mbit"].GoodputKbps / 1000 * 100, 1)),
            new("recover_s", step.RecoverS),
            new("aiortc_g2g_p95_ms_1mbit", theirs["1mbit"].P95),
            new("queue_ms_after_drop", step.QueueAfterDropMs),
            new("recover_reached", step.RecoverReached ? 1 : 0),
            new("recover_s_to_before", step.RecoverToBeforeS),
            .. scenarios.SelectMany(s => new KeyValuePair<string, double>[]
            {
                new($"g2g_p95_ms_{s.Name}", ours[s.Name].P95), new($"freeze_ms_{s.Name}", ours[s.Name].FreezeMs),
                new($"aiortc_g2g_p95_ms_{s.Name}", theirs[s.Name].P95), new($"aiortc_freeze_ms_{s.Name}", theirs[s.Name].FreezeMs),
            }),
            new("aiortc_freeze_ms_max", theirs.Values.Max(s => s.FreezeMs)),
            new("aiortc_utilisation_pct", Math.Round(theirs["1mbit"].GoodputKbps / 1000 * 100, 1)),
            new("aiortc_recover_s", theirs["step"].RecoverS),
            new("chromium_g2g_p95_ms_1mbit", chromium),
        ];
        return keys.DistinctBy(k => k.Key).ToList(); // the per-scenario keys repeat the headline ones
    }

    private static async Task<Summary> PlayAsync(NetworkLab lab, NetworkScenario scenario,
        Func<CancellationToken, Task<SyntheticLiveClient>> connect, IReadOnlyList<PersonaLive.Media.I420Frame> camera,
        string who, TextWriter log, CancellationToken ct)
    {
        try
        {
            var (recording, start) = await ScenarioRun.RunAsync(lab, scenario, connect, camera, line => log.WriteLine($"network: {who} {line}"), ct).ConfigureAwait(false);
            var summary = Summary.Of(scenario, recording, start);
            foreach (var line in Summary.Timeline(scenario, recording, start)) log.WriteLine($"network: {who} {scenario.Name} {line}");
            log.WriteLine($"network: {who} {scenario.Name}: {summary}");
            return summary;
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            log.WriteLine($"network: {who} {scenario.Name} failed: {e.Message}");
            return Summary.Failed(scenario);
        }
    }

    /// <summary>Stock Chromium in the client namespace on our page during the 1 Mbit/s scenario; the p95 of the page's own samples (NaN when none came).</summary>
    private static async Task<double> ChromiumOneMbitAsync(NetworkLab lab, LabHost host, NetworkScenario scenario, TextWriter log, CancellationToken ct)
    {
        if (!StockChromium.IsInstalled) return double.NaN;
        var work = Directory.CreateTempSubdirectory("personalive-bench-network-");
        using var forward = NamespaceLoopbackForward.Start(lab.ClientNamespace, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, host.Port));
        var series = new LatencySeries();
        var clock = Stopwatch.StartNew();
        void OnSample(string id, double ms) => series.Add(clock.Elapsed.TotalSeconds, ms);
        host.Sessions.GlassToGlassReported += OnSample;
        Process? browser = null;
        try
        {
            lab.Shape(scenario.Phases[0].Shape);
            var y4m = Path.Combine(work.FullName, "camera.y4m");
            Y4mVideo.Write(y4m, 640, 480, 25, Y4mVideo.MovingFace(host.FacePng, 640, 480, 50, new SkiaSharp.SKColor(120, 130, 140)));
            browser = StockChromium.Start($"http://127.0.0.1:{forward.Port}/?autostart=ada", y4m, Path.Combine(work.FullName, "profile"), lab.ClientNamespace);
            log.WriteLine($"network: chromium {scenario.Name}: {scenario.Phases[0].Shape} for {scenario.Seconds:0} s after its first sample");
            var first = Stopwatch.StartNew();
            while (series.Count == 0 && first.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(500, ct).ConfigureAwait(false);
            var from = clock.Elapsed.TotalSeconds + WarmUpSeconds;
            await Task.Delay(TimeSpan.FromSeconds(scenario.Seconds), ct).ConfigureAwait(false);
            var kept = new LatencySeries(from);
            foreach (var (t, ms) in series.Samples) kept.Add(t, ms);
            log.WriteLine($"network: chromium {scenario.Name}: {kept.Count} samples, median {kept.Median:0} ms, p95 {kept.P95:0} ms");
            return Math.Round(kept.P95, 1);
        }
        finally
        {
            host.Sessions.GlassToGlassReported -= OnSample;
            if (browser is { HasExited: false })
            {
                browser.Kill(entireProcessTree: true);
                await browser.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
            browser?.Dispose();
            try { work.Delete(recursive: true); } catch (IOException) { }
        }
    }
}
