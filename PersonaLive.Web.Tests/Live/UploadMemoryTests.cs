using System.Diagnostics;
using System.Runtime.InteropServices;
using PersonaLive.Inference.Engines;
using PersonaLive.TestSupport;
using PersonaLive.Web.Live.Diagnostics;
using PersonaLive.Web.Live.Portraits;

namespace PersonaLive.Web.Tests.Live;

/// <summary>Runs alone: it measures this process's resident memory, which other tests would disturb.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
    public const string Name = "memory measurement";
}

/// <summary>
/// Six people upload a 39.7-megapixel PNG at the same moment: through the decode gate and the
/// engine's preparation (reduced decoding), the process's resident memory must stay within +600 MB
/// at its peak and come back to within +100 MB of where it started.
/// </summary>
[Collection(MemoryMeasurementCollection.Name)]
public sealed partial class UploadMemoryTests
{
    private static long RssBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        throw new InvalidOperationException("no VmRSS in /proc/self/status");
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);

    private static long SettledRss()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        MallocTrim(0); // what a long-running server's allocator returns over time, made immediate
        return RssBytes();
    }

    [Fact]
    public async Task Six_concurrent_uploads_of_a_39_megapixel_png_stay_within_600_MB_and_settle_within_100_MB()
    {
        var ct = TestContext.Current.CancellationToken;
        var png = LargePng.Create(7280, 5456); // 39.7 MP, a few MB on disk
        var factory = new DelayedEchoEngineFactory(TimeSpan.Zero);
        using var gate = new PortraitDecodeGate();
        (await factory.PreparePortraitAsync(LargePng.Create(300, 200), ct)).Portrait!.Image.Dispose(); // load Skia first
        var baseline = SettledRss();
        long peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, RssBytes());
                await Task.Delay(5, CancellationToken.None);
            }
        }, CancellationToken.None);

        var waited = 0;
        var clock = Stopwatch.StartNew();
        var uploads = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            using (await gate.EnterAsync(PersonaLive.Inference.Imaging.ImageCodec.IsLarge(png), () => Interlocked.Increment(ref waited), ct))
            {
                var result = await factory.PreparePortraitAsync(png, ct);
                Assert.True(result.Succeeded, result.Error);
                result.Portrait!.Image.Dispose();
            }
        }, ct)).ToArray();
        await Task.WhenAll(uploads);
        await sampling.CancelAsync();
        await sampler;
        var settled = SettledRss();
        const double mb = 1024 * 1024;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"baseline {baseline / mb:0} MB, peak +{(peak - baseline) / mb:0} MB, settled +{(settled - baseline) / mb:0} MB, {waited} uploads told to wait, {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.InRange(waited, 1, 5); // large images decode one at a time: the others were told to wait
        Assert.True(peak - baseline < 600 * mb, $"peak +{(peak - baseline) / mb:0} MB");
        Assert.True(settled - baseline < 100 * mb, $"settled +{(settled - baseline) / mb:0} MB");
    }
}
