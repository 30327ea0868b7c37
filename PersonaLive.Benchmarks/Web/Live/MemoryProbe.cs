using System.Diagnostics;
using System.Globalization;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// One progress line of where the process's memory is (resident set and its anonymous part, managed
/// heap and committed GC memory, threads, open descriptors), so a long benchmark shows what grows
/// without an external profiler.
/// </summary>
internal static class MemoryProbe
{
    /// <summary>A field of /proc/self/status in MB (kB in the file), 0 when absent.</summary>
    public static double StatusMb(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
            }
        }

        return 0;
    }

    /// <summary>Threads by name (from /proc/self/task/*/comm), most numerous first, e.g. ".NET TP Worker x12".</summary>
    public static string ThreadNames() =>
        string.Join(", ", ThreadCounts().OrderByDescending(n => n.Value).Select(n => $"{n.Key} x{n.Value}"));

    /// <summary>How many threads of each name the process has (names as the kernel keeps them, 15 characters).</summary>
    public static Dictionary<string, int> ThreadCounts()
    {
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!Directory.Exists("/proc/self/task")) return names;
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            string name;
            try { name = File.ReadAllText(Path.Combine(task, "comm")).Trim(); }
            catch (IOException) { continue; }
            names[name] = names.GetValueOrDefault(name) + 1;
        }

        return names;
    }

    /// <summary>The names whose count changed from <paramref name="before"/> to <paramref name="after"/>, e.g. "+2 .NET TP Worker, -1 .NET BGC"; "none" when equal.</summary>
    public static string ThreadDiff(IReadOnlyDictionary<string, int> before, IReadOnlyDictionary<string, int> after)
    {
        var changes = before.Keys.Union(after.Keys)
            .Select(n => (Name: n, Delta: after.GetValueOrDefault(n) - before.GetValueOrDefault(n)))
            .Where(c => c.Delta != 0)
            .Select(c => $"{c.Delta:+0;-0} {c.Name}")
            .ToList();
        return changes.Count == 0 ? "none" : string.Join(", ", changes);
    }

    public static string Describe()
    {
        var gc = GC.GetGCMemoryInfo();
        int fds = Directory.Exists("/proc/self/fd") ? Directory.GetFiles("/proc/self/fd").Length : -1;
        return string.Create(CultureInfo.InvariantCulture,
            $"rss {StatusMb("VmRSS"):0.0} MB (anon {StatusMb("RssAnon"):0.0}, file {StatusMb("RssFile"):0.0}), managed {GC.GetTotalMemory(false) / 1048576.0:0.0} MB, "
            + $"gc heap {gc.HeapSizeBytes / 1048576.0:0.0} MB committed {gc.TotalCommittedBytes / 1048576.0:0.0} MB, gen2 collections {GC.CollectionCount(2)}, "
            + $"threads {Process.GetCurrentProcess().Threads.Count}, fds {fds}, jit {System.Runtime.JitInfo.GetCompiledMethodCount()} methods "
            + $"{System.Runtime.JitInfo.GetCompiledILBytes() / 1024.0:0} KB IL, malloc in use {NativeInUseMb():0.0} MB");
    }

    /// <summary>What the C library's allocator has handed out and not had back (mallinfo2: small blocks plus mmapped ones), in MB; -1 off glibc.</summary>
    public static double NativeInUseMb()
    {
        try
        {
            var info = MallInfo2();
            return (info.Uordblks + info.Hblkhd) / 1048576.0;
        }
        catch (EntryPointNotFoundException) { return -1; }
        catch (DllNotFoundException) { return -1; }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mallinfo2")]
    private static extern MallInfo MallInfo2();

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private readonly struct MallInfo
    {
        public readonly nuint Arena, Ordblks, Smblks, Hblks, Hblkhd, Usmblks, Fsmblks, Uordblks, Fordblks, Keepcost;
    }
}
