using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.Inference.Diffusion;
using PersonaLive.Inference.Diffusion.Tiny;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Benchmarks;

/// <summary>
/// <c>./persona.sh bench personalive-tiny</c>: one personalive session on the tiny synthetic model set
/// (64x64 output, CPU), driven by 80x60 synthetic camera frames. Keys: model_ms_per_chunk (time inside
/// ONNX Runtime runs per chunk of 4), overhead_ms_per_frame (everything else in <c>Animate</c>: frame
/// conversion, detector input, keypoints, maps, crops, noise, bookkeeping, output conversion; target
/// &lt;= 1 ms), alloc_bytes_per_chunk (managed bytes allocated by <c>Animate</c> after warm-up, mean).
/// Times are medians over chunks: the benchmark machine is shared, and a preempted chunk says nothing
/// about the engine; means and 90th percentiles go to the log.
/// </summary>
public static class PersonaLiveTinyBenchmark
{
    public const int WarmUpChunks = 60;

    public static async Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(int? seconds, TextWriter log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(log);
        var duration = TimeSpan.FromSeconds(seconds ?? 10);
        var dir = Directory.CreateTempSubdirectory("personalive-tiny-bench-");
        var frames = Enumerable.Range(0, 32).Select(Frame).ToArray();
        try
        {
            TinyModelSet.Write(dir.FullName);
            using var factory = new PersonaLiveEngineFactory(new EngineOptions { ModelDirectory = dir.FullName, ExecutionProvider = "cpu" }, NullLoggerFactory.Instance);
            await factory.WarmUpAsync(null, ct).ConfigureAwait(false);
            log.WriteLine($"[{factory.Status.State}] {factory.Status.Message}");
            using var engine = factory.CreatePersonaLiveEngine();
            using (var portrait = Frame(7, 512, 512)) engine.SetPortrait(new PreparedPortrait(portrait, 512));

            var chunk = new DrivingFrame[4];
            var n = 0;
            void Step()
            {
                for (var i = 0; i < 4; i++) chunk[i] = new DrivingFrame(frames[(n * 4 + i) % frames.Length], (n * 4 + i) * 33_333L);
                n++;
            }
            for (var i = 0; i < WarmUpChunks; i++)
            {
                Step();
                foreach (var f in engine.Animate(chunk)) f.Image.Dispose();
            }

            var model = new List<double>(4096);
            var overhead = new List<double>(4096);
            long allocated = 0;
            var measured = 0;
            var sw = Stopwatch.StartNew();
            while ((sw.Elapsed < duration || measured < 8) && !ct.IsCancellationRequested)
            {
                Step();
                var before = GC.GetAllocatedBytesForCurrentThread();
                var output = engine.Animate(chunk);
                allocated += GC.GetAllocatedBytesForCurrentThread() - before;
                foreach (var f in output) f.Image.Dispose();
                model.Add(engine.LastTimings.ModelMs);
                overhead.Add(engine.LastTimings.OverheadMs);
                measured++;
            }
            log.WriteLine($"personalive-tiny: {measured} chunks in {sw.Elapsed.TotalSeconds:F1} s, {engine.KeyframeUpdates} keyframe updates, reference length {engine.ReferenceLength0}");
            log.WriteLine($"model ms/chunk: mean {model.Average():F3}, p90 {Percentile(model, 0.9):F3}; overhead ms/frame: mean {overhead.Average() / 4:F3}, p90 {Percentile(overhead, 0.9) / 4:F3}");
            return
            [
                new("model_ms_per_chunk", Math.Round(Percentile(model, 0.5), 3)),
                new("overhead_ms_per_frame", Math.Round(Percentile(overhead, 0.5) / 4, 3)),
                new("alloc_bytes_per_chunk", Math.Round((double)allocated / measured)),
            ];
        }
        finally
        {
            foreach (var f in frames) f.Dispose();
            try { dir.Delete(recursive: true); } catch (IOException) { }
        }
    }

    private static double Percentile(List<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
    }

    /// <summary>A synthetic frame: colour gradients with a bright disc that moves with <paramref name="n"/>.</summary>
    private static RgbaImage Frame(int n) => Frame(n, 80, 60);

    private static RgbaImage Frame(int n, int w, int h)
    {
        var img = new RgbaImage(w, h);
        var px = img.Pixels;
        double cx = w / 2.0 + w * 0.15 * Math.Cos(n * 0.3), cy = h / 2.0 + h * 0.12 * Math.Sin(n * 0.2), r2 = w * h / 30.0;
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
            {
                var o = (y * w + x) * 4;
                var inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) < r2;
                px[o] = (byte)(inside ? 230 : x * 255 / w);
                px[o + 1] = (byte)(inside ? 200 : y * 255 / h);
                px[o + 2] = (byte)((x + y + 5 * n) % 256);
                px[o + 3] = 255;
            }
        return img;
    }
}
