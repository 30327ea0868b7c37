using System.Diagnostics;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// One measuring window of a sessions ramp step: the frames each client received complete over the window
/// (the figure the ramp judges), beside where the others went (<see cref="StepCounters"/>), our server's
/// lowest send target, the thread pool's longest queue wait and the timer steps a pacer runs on
/// (<see cref="TimerLagProbe"/>), the process's CPU and, for aiortc, its process's CPU.
/// <para>Why a failing window gets a second one (<c>SessionsBenchmark</c>): on a shared 2-core machine another
/// process waking (a build, a test run) for a second or two takes the cores from every session at once, and
/// the engine's frame gate turns that into a burst of drops; one such window ended a ramp at N=1 once.
/// Measuring the same N again tells a hiccup (the second window holds) from a real limit (it fails again);
/// a load that stays fails both windows, so the rule cannot lift a ramp above what the machine carries.</para>
/// </summary>
internal static class RampWindow
{
    /// <summary>Measures one window at the current N, logs it, and returns the slowest client's fps.</summary>
    public static async Task<double> MeasureAsync(string label, int n, List<SyntheticLiveClient> clients, ServerView? ourServer,
        Process? server, TimeSpan window, TextWriter log, CancellationToken ct)
    {
        var self = Process.GetCurrentProcess();
        var cpu0 = self.TotalProcessorTime;
        server?.Refresh();
        var serverCpu0 = server?.TotalProcessorTime ?? TimeSpan.Zero;
        var start = Snapshot(clients);
        var counters0 = StepCounters.Read(clients, ourServer?.Sessions);
        long dropped0 = ourServer?.Dropped(clients) ?? 0;
        long flushes0 = SenderView(clients).PacerFlushes;
        var clock = Stopwatch.StartNew();
        using var lag = new TimerLagProbe();
        double poolWait = 0; // longest wait of a probe work item in the thread pool's queue
        var lowestTarget = int.MaxValue; // our server's lowest send target over the window (its delay-based estimate)
        while (clock.Elapsed < window)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(250, Math.Max(1, (window - clock.Elapsed).TotalMilliseconds))), ct).ConfigureAwait(false);
            if (ourServer is not null) lowestTarget = Math.Min(lowestTarget, ourServer.MinTargetKbps(clients));
            var posted = Stopwatch.GetTimestamp();
            var queued = await Task.Run(() => Stopwatch.GetElapsedTime(posted), ct).ConfigureAwait(false);
            poolWait = Math.Max(poolWait, queued.TotalMilliseconds);
        }
        var end = Snapshot(clients);
        var elapsed = clock.Elapsed.TotalSeconds;
        var counters = StepCounters.Read(clients, ourServer?.Sessions).Since(counters0);
        self.Refresh();
        server?.Refresh();
        var cpu = (self.TotalProcessorTime - cpu0).TotalSeconds / (elapsed * Environment.ProcessorCount) * 100;
        var fps = end.Zip(start, (e, s) => (e - s) / elapsed).ToArray();
        var slowest = fps.Min();
        var serverLine = ourServer?.FpsOut(clients) is { } sf
            ? $"(server's last 2 s: fps in min {ourServer.FpsIn(clients).Min():0.0}, out min {sf.Min():0.0} mean {sf.Average():0.0}; camera frames dropped at the gate {ourServer.Dropped(clients) - dropped0}), " : "";
        var serverCpu = server is null ? "" : $", aiortc process {((server.TotalProcessorTime - serverCpu0).TotalSeconds / (elapsed * Environment.ProcessorCount) * 100):0}%";
        var senders = SenderView(clients);
        log.WriteLine($"{label}: N={n} fps per session min {slowest:0.0} mean {fps.Average():0.0} max {fps.Max():0.0} " +
            $"{serverLine}cpu {cpu:0}% of all cores{serverCpu}; clients' send target min {senders.MinTargetKbps} kb/s, pacer queues dropped {senders.PacerFlushes - flushes0}");
        log.WriteLine($"{label}: N={n} window: {counters.Describe(n, elapsed, ourServer is not null)}" +
            (ourServer is null ? "" : $"; server's lowest send target {lowestTarget} kb/s") +
            $"; thread pool: longest queue wait {poolWait:0} ms, {ThreadPool.ThreadCount} threads; {lag.Describe()}");
        return slowest;
    }

    /// <summary>
    /// The clients' senders as the server drives them: the lowest target bitrate (the server's feedback) and
    /// the pacer queues dropped so far. A client sends a fixed pre-encoded loop, so a target below its rate
    /// makes its pacer queue grow until it is dropped, and the server then waits for the loop's next keyframe.
    /// </summary>
    private static (int MinTargetKbps, long PacerFlushes) SenderView(List<SyntheticLiveClient> clients)
    {
        lock (clients)
        {
            var stats = clients.Select(c => c.Peer.GetStats()).ToList();
            return (stats.Count == 0 ? 0 : stats.Min(s => s.TargetBitrateKbps), stats.Sum(s => s.PacerFlushes));
        }
    }

    private static long[] Snapshot(List<SyntheticLiveClient> clients)
    {
        lock (clients) return clients.Select(c => c.FramesReceived).ToArray();
    }
}
