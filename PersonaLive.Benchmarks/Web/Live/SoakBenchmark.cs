using System.Diagnostics;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Hosting;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Media.Rtc;
using PersonaLive.Web.Live.Portraits;
using PersonaLive.Web.Live.Sessions;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// <c>./persona.sh bench soak [--seconds N]</c> (default 600): one live session of the configured engine
/// (lite by default) held for N seconds by a synthetic client (<see cref="SyntheticLiveClient"/>) sending
/// a 320x240 moving face at 25 fps, with a garbage flood at the port in the middle fifth of the run
/// (<see cref="GarbageFlood"/>: 5,000 datagrams a second of no RFC 7983 class, fake RTP and STUN, from a
/// child process and an address nobody authenticated). After a warm-up (a tenth of the run, at least
/// 5 s, which begins with a 3 s burst of the same flood so that code and counters first used by the drop
/// paths are not counted as growth) it records resident memory (settled: the least of three rounds of an
/// aggressive full GC and malloc_trim, as at the end; the log shows the figure before settling too, with
/// the JIT's method count and what malloc holds, to tell retained data from code compiled late) and
/// threads as the baseline, then
/// stamps every animated frame as the client gets it (<see cref="FrameArrivals"/>); every 10 s it logs
/// the output rate and where memory is (<see cref="MemoryProbe"/>), and each freeze is logged with
/// what every stage and the process were doing around it (<see cref="SoakTimeline"/>).
/// Keys: <c>rss_growth_pct</c> (end against baseline), <c>threads_growth</c> (threads other than the
/// runtime's elastic pool and JIT workers; the log names every thread that changed), <c>fps_min</c>
/// (frames in the slowest whole second after the baseline), <c>freezes</c> (gaps of more than 500 ms
/// without a frame), <c>flood_dropped</c> (what the port counted dropped of the flood),
/// <c>freeze_ms_max</c> (the longest gap), <c>fps_mean</c> and <c>cpu_wait_ms_per_s</c> (how long the
/// process's threads together waited for a CPU per second: the machine's load, which the freezes of a
/// busy shared machine follow). Targets: growth under 5 %, no freeze over 500 ms, threads back to the baseline.
/// </summary>
public static class SoakBenchmark
{
    private const int CameraFps = 25, SettleRounds = 3;
    private static readonly TimeSpan WarmUpFlood = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan FreezeGap = TimeSpan.FromMilliseconds(500);

    public static async Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(int? seconds, TextWriter log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(log);
        var total = TimeSpan.FromSeconds(Math.Max(20, seconds ?? 600));
        var warmUp = TimeSpan.FromSeconds(Math.Max(5, total.TotalSeconds / 10));
        await using var app = WebHostSetup.Build(["--urls", "http://127.0.0.1:0", "--Rtc:MediaPort=0", "--Live:WarmUpOnStart=false"]);
        var services = app.Services;
        if (services.GetRequiredService<IMediaPeerFactory>() is not RtcMediaPeerFactory { Server: { } server } media)
            throw new InvalidOperationException(services.GetRequiredService<IMediaPeerFactory>().UnavailableReason ?? "The WebRTC stack is unavailable.");
        var engine = services.GetRequiredService<IAnimationEngineFactory>();
        log.WriteLine($"soak: warming up engine '{engine.Name}'…");
        await engine.WarmUpAsync(null, ct).ConfigureAwait(false);
        var preset = services.GetRequiredService<PresetPortraits>().Find("ada")!;
        var portrait = await engine.PreparePortraitAsync(preset.Png, ct).ConfigureAwait(false);
        if (!portrait.Succeeded) throw new InvalidOperationException(portrait.Error);
        var camera = EncodedCameraLoop.Encode(SyntheticLiveClient.CameraLoop(preset.Png, 320, 240, 50), CameraFps);
        var sessions = services.GetRequiredService<LiveSessionManager>();
        await using var client = await SyntheticLiveClient.ConnectAsync(sessions, portrait.Portrait!, ct, decodeOutput: false).ConfigureAwait(false);
        log.WriteLine($"soak: session {client.SessionId} live for {total.TotalSeconds:0} s (warm-up {warmUp.TotalSeconds:0} s, flood in the middle fifth)");

        // First-use costs are not growth: a short burst of the same flood before the warm-up ends compiles
        // and sizes the drop paths (and their counters) that the measured flood takes later.
        using (var warmFlood = GarbageFlood.Start(server.LocalEndPoint.Port, WarmUpFlood, FloodRate))
        {
            var (warmSent, _) = await GarbageFlood.FinishAsync(warmFlood, ct).ConfigureAwait(false);
            log.WriteLine($"soak: warm-up flood of {WarmUpFlood.TotalSeconds:0} s sent {warmSent}");
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var clock = Stopwatch.StartNew();
        var arrivals = new FrameArrivals(clock, FreezeGap);
        client.Peer.FrameAssembled += (_, _) => arrivals.OnFrame();
        var counters = new StageCounters();
        var sender = Task.Run(() => SendLoopAsync(client, camera, counters, stop.Token), CancellationToken.None);
        var timeline = new SoakTimeline(clock);
        var (floodFrom, floodUntil) = (total * 0.4, total * 0.6);
        Process? flood = null;
        double udpCpuBefore = 0, processCpuBefore = 0, waitAtBaseline = 0;
        var receiveThreads = $"udp-media-{server.LocalEndPoint.Port}"; // the server's, not the client's
        long droppedBefore = 0;
        double? baselineRss = null;
        Dictionary<string, int> baselineThreads = [];
        var freezes = new List<TimeSpan>();
        var (lastSample, lastProbe, baselineAt) = (TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        long framesAtProbe = 0;
        var end = TimeSpan.Zero;
        try
        {
            while (clock.Elapsed < total)
            {
                await Task.Delay(20, ct).ConfigureAwait(false);
                var now = clock.Elapsed;
                if (now - lastSample >= TimeSpan.FromMilliseconds(250))
                {
                    lastSample = now;
                    var transport = sessions.Find(client.SessionId)?.GetTransportStats();
                    timeline.Record(counters.CameraSent, transport?.FramesDecoded ?? 0, transport?.FramesSent ?? 0, client.FramesReceived, Dropped(server.GetTotals()));
                }
                while (arrivals.Freezes.TryDequeue(out var freeze))
                {
                    freezes.Add(freeze.Length);
                    log.WriteLine($"soak: freeze of {freeze.Length.TotalMilliseconds:0} ms from {freeze.At.TotalSeconds:0.00} s{timeline.Describe((freeze.At - TimeSpan.FromSeconds(0.5)).TotalSeconds)}");
                }
                if (baselineRss is null && now >= warmUp)
                {
                    var plain = RssMb();
                    (baselineRss, baselineThreads, waitAtBaseline) = (SettledRssMb(), MemoryProbe.ThreadCounts(), SoakTimeline.RunDelayMs()); // the same procedure as at the end
                    baselineAt = clock.Elapsed;
                    arrivals.Start(); // after the collection's pause: frames, rates and freezes count from here
                    log.WriteLine($"soak: baseline rss {baselineRss:0} MB settled ({plain:0} MB before), {MemoryProbe.Describe()}, threads: {MemoryProbe.ThreadNames()}");
                }
                if (now - lastProbe >= TimeSpan.FromSeconds(10))
                {
                    var fps = (client.FramesReceived - framesAtProbe) / (now - lastProbe).TotalSeconds;
                    (lastProbe, framesAtProbe) = (now, client.FramesReceived);
                    log.WriteLine($"soak: {now.TotalSeconds:0} s output {fps:0.0} fps, {MemoryProbe.Describe()}");
                }
                if (flood is null && now >= floodFrom)
                {
                    droppedBefore = Dropped(server.GetTotals());
                    (udpCpuBefore, processCpuBefore) = (SoakTimeline.ThreadCpuMs(receiveThreads), ProcessCpuMs());
                    log.WriteLine($"soak: flooding the media port for {(floodUntil - floodFrom).TotalSeconds:0} s at {FloodRate}/s from another process"
                        + $" (this process used {processCpuBefore / now.TotalSeconds:0} ms CPU a second so far)");
                    flood = GarbageFlood.Start(server.LocalEndPoint.Port, floodUntil - floodFrom, FloodRate);
                }
                if (flood is { HasExited: true } && udpCpuBefore >= 0)
                {
                    var (sent, floodCpuMs) = await GarbageFlood.FinishAsync(flood, ct).ConfigureAwait(false);
                    var (dropped, udpMs) = (Dropped(server.GetTotals()) - droppedBefore, SoakTimeline.ThreadCpuMs(receiveThreads) - udpCpuBefore);
                    log.WriteLine($"soak: flood over: {sent} sent (the flooding process used {floodCpuMs:0} ms CPU), {dropped} dropped by the port; its receive threads used {udpMs:0} ms CPU meanwhile "
                        + $"({udpMs * 1000 / Math.Max(1, dropped):0.0} us a datagram, media included); this process {(ProcessCpuMs() - processCpuBefore) / (now - floodFrom).TotalSeconds:0} ms CPU a second");
                    udpCpuBefore = -1; // reported
                }
            }
            end = clock.Elapsed; // before the senders stop
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try { await sender.ConfigureAwait(false); } catch (OperationCanceledException) { }
            if (flood is not null)
            {
                if (!flood.HasExited) flood.Kill();
                flood.Dispose();
            }
        }
        while (arrivals.Freezes.TryDequeue(out var late)) // ended after the last look
            if (late.At < end) freezes.Add(late.Length);
        if (arrivals.OpenGap(end) is { } open) freezes.Add(open); // frozen at the end
        var (fpsMin, fpsMean) = arrivals.Rates(end);
        var waitPerSecond = (SoakTimeline.RunDelayMs() - waitAtBaseline) / (end - baselineAt).TotalSeconds;
        var plainEnd = RssMb();
        var rss = SettledRssMb();
        var threads = MemoryProbe.ThreadCounts();
        var flooded = Dropped(server.GetTotals()) - droppedBefore;
        var alive = sessions.Find(client.SessionId) is not null;
        log.WriteLine($"soak: end threads: {MemoryProbe.ThreadNames()}; changed since the baseline: {MemoryProbe.ThreadDiff(baselineThreads, threads)}");
        log.WriteLine($"soak: end rss {rss:0} MB settled ({plainEnd:0} MB before), {MemoryProbe.Describe()}, session {(alive ? "still live" : "ENDED")}, flood dropped {flooded}, socket handler errors {server.SocketHandlerErrors}, "
            + $"output {fpsMean:0.0} fps on average, threads waited {waitPerSecond:0} ms a second for a CPU");
        if (!alive) throw new InvalidOperationException("The session ended during the soak.");
        return
        [
            new("rss_growth_pct", Math.Round((rss - baselineRss!.Value) / baselineRss.Value * 100, 1)),
            new("threads_growth", OwnThreads(threads) - OwnThreads(baselineThreads)),
            new("fps_min", fpsMin),
            new("freezes", freezes.Count),
            new("flood_dropped", flooded),
            new("freeze_ms_max", Math.Round(freezes.Count == 0 ? 0 : freezes.Max().TotalMilliseconds)),
            new("fps_mean", Math.Round(fpsMean, 1)),
            new("cpu_wait_ms_per_s", Math.Round(waitPerSecond)),
        ];
    }

    /// <summary>
    /// Threads but the runtime's elastic ones: thread-pool workers (the pool adds and retires them with
    /// the load; in these runs the only difference between baseline and end) and the tiered-compilation
    /// worker (comes and goes with JIT work).
    /// </summary>
    private static int OwnThreads(Dictionary<string, int> names) =>
        names.Where(n => n.Key is not ".NET TP Worker" and not ".NET Tiered Com").Sum(n => n.Value);

    private const int FloodRate = 5000;

    private static double ProcessCpuMs() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;

    private static long Dropped(PersonaLive.WebRtc.PeerConnection.MediaPortTotals t) => t.DroppedMalformed + t.DroppedUnknownSource + t.DroppedUnauthenticated;

    /// <summary>
    /// Resident memory once the garbage collector has given back what it holds free (an aggressive,
    /// compacting full collection decommits the free parts of its heaps, which grow and shrink with
    /// the allocation rate) and malloc has returned its free pages, as the app does every minute: what
    /// the process retains, measured the same way at the baseline and at the end.
    /// </summary>
    private static double SettledRssMb()
    {
        var least = double.MaxValue;
        for (var round = 0; round < SettleRounds; round++) // a compacting collection first touches the regions it compacts into, and returns the old ones a moment later
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            PersonaLive.Web.Hosting.NativeHeap.Trim();
            Thread.Sleep(200);
            least = Math.Min(least, RssMb());
        }

        return least;
    }

    private static double RssMb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
        return 0;
    }

    /// <summary>Sends the next pre-encoded camera frame every 1/25 s.</summary>
    private static async Task SendLoopAsync(SyntheticLiveClient client, EncodedCameraLoop camera, StageCounters counters, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        for (long i = 0; !ct.IsCancellationRequested; i++)
        {
            client.Send(camera);
            Interlocked.Increment(ref counters.CameraSent);
            var wait = TimeSpan.FromSeconds((i + 1) / (double)CameraFps) - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Counts of the benchmark's own senders, for the timeline.</summary>
    private sealed class StageCounters
    {
        public long CameraSent;
    }
}
