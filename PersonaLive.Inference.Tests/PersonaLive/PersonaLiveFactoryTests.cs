using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.Inference.Benchmarks;
using PersonaLive.Inference.Diffusion;
using PersonaLive.Inference.Diffusion.ModelSet;
using PersonaLive.Inference.Engines;

namespace PersonaLive.Inference.Tests.Diffusion;

/// <summary>The factory's readiness messages, the real-weights check and the benchmark smoke run.</summary>
public sealed class PersonaLiveFactoryTests
{
    [Fact]
    public async Task EmptyModelDirectoryFailsWithAnExportHint()
    {
        var dir = Directory.CreateTempSubdirectory("personalive-empty-");
        try
        {
            using var factory = new PersonaLiveEngineFactory(new EngineOptions { ModelDirectory = dir.FullName }, NullLoggerFactory.Instance);
            Assert.Equal("personalive", factory.Name);
            await Assert.ThrowsAsync<ModelSetException>(() => factory.WarmUpAsync(null, TestContext.Current.CancellationToken));
            Assert.Equal(EngineState.Failed, factory.Status.State);
            Assert.Contains("No PersonaLive model set in " + dir.FullName, factory.Status.Message);
            Assert.Contains("tools/export/export_onnx.py", factory.Status.Message);
            Assert.Throws<InvalidOperationException>(() => factory.CreateEngine());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task InvalidModelSetFailsWithTheValidationMessage()
    {
        using var set = new TinySet();
        File.Delete(Path.Combine(set.Directory, "reference_unet.onnx"));
        using var factory = new PersonaLiveEngineFactory(new EngineOptions { ModelDirectory = set.Directory }, NullLoggerFactory.Instance);
        var statuses = new List<EngineStatus>();
        await Assert.ThrowsAsync<ModelSetException>(() => factory.WarmUpAsync(new SyncProgress(statuses.Add), TestContext.Current.CancellationToken));
        Assert.Equal(EngineState.Failed, factory.Status.State);
        Assert.Contains("reference_unet (reference_unet.onnx): file not found", factory.Status.Message);
    }

    [Fact]
    public async Task TinySetWarmsUpAndItsEnginesShareSessionsButNotState()
    {
        using var set = new TinySet();
        var loggers = new ListLoggerFactory();
        using var factory = new PersonaLiveEngineFactory(new EngineOptions { ModelDirectory = set.Directory }, loggers);
        await factory.WarmUpAsync(null, TestContext.Current.CancellationToken);
        await factory.WarmUpAsync(null, TestContext.Current.CancellationToken); // ready: no second load
        Assert.Equal(EngineState.Ready, factory.Status.State);
        Assert.Contains("64x64, fp32, fused step on cpu", factory.Status.Message);
        using var a = factory.CreatePersonaLiveEngine();
        using var b = factory.CreatePersonaLiveEngine();
        using var solo = factory.CreatePersonaLiveEngine();
        Assert.Equal((4, 64), (a.ChunkSize, a.OutputSize));
        // Shared: both engines run on the factory's sessions, the very same InferenceSession per network ...
        Assert.NotSame(a, b);
        Assert.Same(factory.Sessions, a.Sessions);
        foreach (var key in ModelSetContract.NetworkKeys) Assert.Same(a.Sessions[key], b.Sessions[key]);

        // ... and per-engine state: a, interleaved with b (another portrait and other frames), gives exactly
        // what an engine running alone gives.
        a.SetPortrait(TinyEngine.Portrait(90));
        b.SetPortrait(TinyEngine.Portrait(200));
        solo.SetPortrait(TinyEngine.Portrait(90));
        for (var call = 0; call < 6; call++)
        {
            var fa = a.Animate(TinyEngine.Chunk(TinyEngine.Moving, call));
            var fb = b.Animate(TinyEngine.Chunk(n => TinyEngine.Uniform(64, 64, (byte)(n * 7)), call));
            var fs = solo.Animate(TinyEngine.Chunk(TinyEngine.Moving, call));
            for (var i = 0; i < 4; i++)
            {
                Assert.Equal(fs[i].Image.Pixels.ToArray(), fa[i].Image.Pixels.ToArray());
                Assert.NotEqual(fa[i].Image.Pixels.ToArray(), fb[i].Image.Pixels.ToArray());
            }
            foreach (var f in fa.Concat(fb).Concat(fs)) f.Image.Dispose();
        }
        // Seven files, each loaded once for the whole factory however many engines and warm-ups.
        Assert.Equal(7, loggers.Logger.Lines.Count(l => l.StartsWith("Loaded ONNX model ", StringComparison.Ordinal)));
    }

    /// <summary>
    /// Real weights: set PERSONALIVE_MODELSET to an exported model directory on a CUDA machine. Checks the
    /// set validates and one session produces 512x512 frames.
    /// </summary>
    [Fact]
    public async Task RealModelSetRunsWhenAvailable()
    {
        var dir = Environment.GetEnvironmentVariable("PERSONALIVE_MODELSET");
        if (string.IsNullOrEmpty(dir) || PersonaLiveSessions.FindManifest(dir) is null)
            Assert.Skip("Needs the real PersonaLive weights exported with tools/export (set PERSONALIVE_MODELSET to that folder) and a CUDA GPU; neither is on this machine.");
        if (!Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetAvailableProviders().Contains("CUDAExecutionProvider"))
            Assert.Skip("The real model set is fp16 and needs the CUDA execution provider (build with OnnxRuntimeFlavor=Gpu on a CUDA machine).");
        using var factory = new PersonaLiveEngineFactory(new EngineOptions { ModelDirectory = dir, ExecutionProvider = "cuda" }, NullLoggerFactory.Instance);
        await factory.WarmUpAsync(null, TestContext.Current.CancellationToken);
        using var engine = factory.CreatePersonaLiveEngine();
        Assert.Equal(512, engine.OutputSize);
        engine.SetPortrait(TinyEngine.Portrait());
        var chunk = TinyEngine.Chunk(TinyEngine.Moving, 0);
        var frames = engine.Animate(chunk);
        Assert.All(frames, f => Assert.Equal(512, f.Image.Width));
        foreach (var f in frames) f.Image.Dispose();
    }

    [Fact]
    public async Task BenchmarkReportsTheIssuesKeys()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("PERSONALIVE_BENCH_SECONDS"), out var s) ? s : 1;
        var log = new StringWriter();
        var result = await PersonaLiveTinyBenchmark.RunAsync(seconds, log, TestContext.Current.CancellationToken);
        TestContext.Current.TestOutputHelper?.WriteLine(log.ToString());
        TestContext.Current.TestOutputHelper?.WriteLine("BENCH personalive-tiny " + string.Join(' ', result.Select(kv => $"{kv.Key}={kv.Value}")));
        Assert.Equal(["model_ms_per_chunk", "overhead_ms_per_frame", "alloc_bytes_per_chunk"], result.Select(kv => kv.Key));
        Assert.StartsWith("[Ready] PersonaLive engine ready (64x64, fp32", log.ToString());
        var chunks = int.Parse(System.Text.RegularExpressions.Regex.Match(log.ToString(), @"personalive-tiny: (\d+) chunks").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(chunks >= 8, $"only {chunks} chunks measured");
        Assert.True(result[0].Value > 0);
        Assert.True(result[1].Value > 0);
        // The issue's target is <= 1 ms of overhead per frame (medians; this machine is shared): 5 ms leaves room
        // for a loaded CI box but fails on a real regression (e.g. a per-frame full-resolution pass gone quadratic).
        Assert.True(result[1].Value <= 5, $"overhead {result[1].Value} ms per frame");
        Assert.InRange(result[2].Value, 0, 64 * 1024); // no large allocations per chunk after warm-up (a 64x64 RGBA frame alone is 16 KiB)
    }

    private sealed class SyncProgress(Action<EngineStatus> report) : IProgress<EngineStatus>
    {
        public void Report(EngineStatus value) => report(value);
    }
}
