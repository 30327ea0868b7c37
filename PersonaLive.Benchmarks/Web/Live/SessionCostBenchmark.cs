using System.Diagnostics;
using PersonaLive.TestSupport;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// <c>./persona.sh bench session-cost [--seconds N]</c>: what one output frame costs our host with the echo
/// engine at a fixed load of 12 sessions, as CPU time of this process per frame the server sent. The
/// sessions benchmark's maxima swing with the load of other work on a shared machine; the CPU time per
/// frame at a load the host carries easily moves much less, so this is the figure to compare a change
/// against (before and after, same conditions). Same clients as the sessions benchmark (pre-encoded
/// 640x480 camera loop at 30 fps, unpaced, output not decoded); the process holds clients and server,
/// so the figure includes the clients' constant share. Keys: cpu_ms_per_frame (process CPU per frame
/// sent), cpu_pct (of all cores), fps_out (mean per session), gate_drops_per_s (all sessions).
/// </summary>
public static class SessionCostBenchmark
{
    private const int Sessions = 12;

    public static async Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(int? seconds, TextWriter log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(log);
        var window = TimeSpan.FromSeconds(Math.Max(5, seconds ?? 20));
        await using var host = await LabHost.StartAsync(null, System.Net.IPAddress.Loopback, ct,
            "--Limits:MaxSessions=64", "--Limits:MaxViewersPerSession=0").ConfigureAwait(false);
        var camera = EncodedCameraLoop.Encode(SyntheticLiveClient.CameraLoop(host.FacePng, 640, 480, 60), 30);
        var clients = new List<SyntheticLiveClient>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sender = Task.Run(() => SessionsBenchmark.SendLoopAsync(clients, camera, stop.Token), CancellationToken.None);
        try
        {
            for (var n = 0; n < Sessions; n++)
            {
                var client = await SyntheticLiveClient.ConnectAsync(host.Sessions, host.Portrait, ct, decodeOutput: false, pacedSend: false).ConfigureAwait(false);
                lock (clients) clients.Add(client);
            }

            await Task.Delay(TimeSpan.FromSeconds(5), ct).ConfigureAwait(false); // keyframes, warm-up, JIT
            var self = Process.GetCurrentProcess();
            var cpu0 = self.TotalProcessorTime;
            var (sent0, dropped0) = ServerTotals(host, clients);
            log.WriteLine($"session-cost: measuring for {window.TotalSeconds:0} s");
            log.Flush();
            var clock = Stopwatch.StartNew();
            await Task.Delay(window, ct).ConfigureAwait(false);
            var elapsed = clock.Elapsed.TotalSeconds;
            self.Refresh();
            var cpuSeconds = (self.TotalProcessorTime - cpu0).TotalSeconds;
            var (sent1, dropped1) = ServerTotals(host, clients);
            var frames = Math.Max(1, sent1 - sent0);
            var cpuPct = cpuSeconds / (elapsed * Environment.ProcessorCount) * 100;
            log.WriteLine($"session-cost: {Sessions} echo sessions, {elapsed:0.0} s: {frames} frames sent, {cpuSeconds:0.00} CPU-s, " +
                $"{dropped1 - dropped0} camera frames dropped at the gate");
            return
            [
                new("cpu_ms_per_frame", Math.Round(cpuSeconds * 1000 / frames, 3)),
                new("cpu_pct", Math.Round(cpuPct, 1)),
                new("fps_out", Math.Round(frames / elapsed / Sessions, 1)),
                new("gate_drops_per_s", Math.Round((dropped1 - dropped0) / elapsed, 1)),
            ];
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try { await sender.ConfigureAwait(false); } catch (OperationCanceledException) { }
            foreach (var c in clients) await c.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static (long Sent, long Dropped) ServerTotals(LabHost host, List<SyntheticLiveClient> clients)
    {
        lock (clients)
        {
            var stats = clients.Select(c => host.Sessions.Find(c.SessionId)?.GetStats()).ToList();
            return (stats.Sum(s => s?.FramesSent ?? 0), stats.Sum(s => s?.FramesDropped ?? 0));
        }
    }
}
