using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// What the soak's process was doing, sampled every quarter second and kept for the last 10 s, so that
/// a freeze can be explained from the log alone: frames at every stage (camera frames the client
/// sent, frames the server decoded and sent, frames the client got back), the datagrams the port dropped (the flood),
/// the process's CPU time and the time its threads waited for a CPU (run-queue delay from
/// /proc/self/task/*/schedstat: the host's load, not ours), page faults served from disk, the thread pool (threads, queued items)
/// and garbage-collection pauses. A stall with a long run-queue delay and little CPU is the machine's;
/// one with CPU to spare and a growing pool queue or a GC pause is ours.
/// </summary>
internal sealed class SoakTimeline
{
    private const int Capacity = 40;
    private readonly Queue<Sample> _samples = new();
    private readonly Stopwatch _clock;

    public SoakTimeline(Stopwatch clock) => _clock = clock;

    /// <summary>One quarter-second sample; counters are cumulative.</summary>
    public readonly record struct Sample(
        double AtS, long CameraSent, long ServerIn, long ServerOut, long ClientIn, long Dropped,
        double CpuMs, double RunDelayMs, long MajorFaults, int PoolThreads, long PoolQueued, double GcPauseMs, int Gen0, int Gen2);

    /// <summary>Takes a sample of the given stage counters and the process's state.</summary>
    public void Record(long cameraSent, long serverIn, long serverOut, long clientIn, long dropped)
    {
        var sample = new Sample(_clock.Elapsed.TotalSeconds, cameraSent, serverIn, serverOut, clientIn, dropped,
            Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds, RunDelayMs(), MajorFaults(),
            ThreadPool.ThreadCount, ThreadPool.PendingWorkItemCount, GC.GetTotalPauseDuration().TotalMilliseconds,
            GC.CollectionCount(0), GC.CollectionCount(2));
        _samples.Enqueue(sample);
        while (_samples.Count > Capacity) _samples.Dequeue();
    }

    /// <summary>
    /// The samples from <paramref name="fromS"/> (a second before a freeze began) on, one line each, as
    /// deltas from the sample before: per-stage frames, flood datagrams, CPU and run-queue wait (ms of
    /// all threads), pool threads/queue, GC pause and collections.
    /// </summary>
    public string Describe(double fromS)
    {
        var text = new StringBuilder();
        Sample? previous = null;
        foreach (var s in _samples)
        {
            if (previous is { } p && s.AtS >= fromS)
            {
                text.Append(CultureInfo.InvariantCulture,
                    $"\n  {s.AtS,6:0.00} s: camera +{s.CameraSent - p.CameraSent} server in +{s.ServerIn - p.ServerIn} out +{s.ServerOut - p.ServerOut} "
                    + $"client in +{s.ClientIn - p.ClientIn} port dropped +{s.Dropped - p.Dropped} | cpu {s.CpuMs - p.CpuMs:0} ms wait {s.RunDelayMs - p.RunDelayMs:0} ms faults +{s.MajorFaults - p.MajorFaults} | "
                    + $"pool {s.PoolThreads} threads {s.PoolQueued} queued | gc pause {s.GcPauseMs - p.GcPauseMs:0} ms gen0 +{s.Gen0 - p.Gen0} gen2 +{s.Gen2 - p.Gen2}");
            }
            previous = s;
        }
        return text.ToString();
    }

    /// <summary>Page faults of this process that had to read from disk (a mapped model evicted under memory pressure stalls a thread without using or waiting for a CPU).</summary>
    private static long MajorFaults()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // from field 3 on: majflt is field 12
            return long.Parse(fields[9], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>CPU time (user + system, ms) used so far by this process's threads whose name starts with <paramref name="prefix"/>.</summary>
    public static double ThreadCpuMs(string prefix)
    {
        const string tasks = "/proc/self/task";
        if (!Directory.Exists(tasks)) return 0;
        double ticks = 0;
        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                int open = stat.IndexOf('('), close = stat.LastIndexOf(')');
                if (open < 0 || close < open || !stat.AsSpan(open + 1, close - open - 1).StartsWith(prefix, StringComparison.Ordinal)) continue;
                var fields = stat[(close + 2)..].Split(' '); // from field 3 (state) on: utime is field 14, stime 15
                ticks += double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException) { } // the thread ended meanwhile
        }
        return ticks * 10; // USER_HZ is 100 on Linux
    }

    private static readonly Dictionary<string, double> SeenDelayNs = new(StringComparer.Ordinal);
    private static double s_delayTotalNs;

    /// <summary>
    /// Total time this process's threads spent runnable but waiting for a CPU (ms) since the first call,
    /// summed per thread so that a thread that ends takes nothing back; 0 where unknown. Not thread-safe
    /// (the benchmark's loop calls it).
    /// </summary>
    public static double RunDelayMs()
    {
        const string tasks = "/proc/self/task";
        if (!Directory.Exists(tasks)) return 0;
        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            try
            {
                var fields = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ');
                if (fields.Length < 2) continue;
                double ns = double.Parse(fields[1], CultureInfo.InvariantCulture);
                var tid = Path.GetFileName(task);
                s_delayTotalNs += Math.Max(0, ns - SeenDelayNs.GetValueOrDefault(tid));
                SeenDelayNs[tid] = ns;
            }
            catch (IOException) { } // the thread ended meanwhile
        }
        return s_delayTotalNs / 1e6;
    }
}
