using PersonaLive.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.Inference.Diffusion;
using PersonaLive.Inference.Diffusion.ModelSet;
using PersonaLive.Inference.Diffusion.Tiny;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Onnx;

namespace PersonaLive.Inference.Tests.Diffusion;

/// <summary>Manifest loading, validation messages and session creation on the tiny set.</summary>
public sealed class ModelSetTests
{
    private static readonly EngineOptions Cpu = new() { ExecutionProvider = "cpu" };

    private static ModelSetException LoadFails(TinySet set)
    {
        var ex = Assert.ThrowsAny<ModelSetException>(() => { using var s = PersonaLiveSessions.Load(set.ManifestPath, Cpu, NullLoggerFactory.Instance); });
        TestContext.Current.TestOutputHelper?.WriteLine(ex.Message);
        return ex;
    }

    [Fact]
    public void TinySetLoadsValidatesAndYieldsItsGeometry()
    {
        using var set = new TinySet();
        using var sessions = PersonaLiveSessions.Load(set.ManifestPath, Cpu, NullLoggerFactory.Instance);
        var g = sessions.Geometry;
        Assert.Equal((64, 8, 4, 8, 16, 32, 32, 32, 16, 4), (g.Resolution, g.Latent, g.LatentChannels, g.EmbedWidth, g.ClipSize, g.DetectorSize, g.CropSize, g.MotionRows, g.MotionCols, g.PoseChannels));
        Assert.Equal([64, 64, 16, 16, 4, 4, 1, 4, 4, 4, 16, 16, 16, 64, 64, 64], g.ReferenceLengths);
        Assert.Equal(TinyModelSet.ReferenceChannels, g.ReferenceChannels);
        Assert.All(ModelSetContract.NetworkKeys, k => Assert.False(g.IsFp16(k)));
        Assert.Equal("fp32", g.DtypeSummary);
        Assert.All(sessions.Providers.Values, p => Assert.Equal("cpu", p.Provider));
        // The fused step's declared dynamic axes survive our writer.
        Assert.Equal(-1, sessions[ModelSetContract.FusedStep].InputMetadata["d00"].Dimensions[1]);
        Assert.Equal("len_4096", sessions[ModelSetContract.FusedStep].InputMetadata["d00"].SymbolicDimensions[1]);
    }

    [Fact]
    public void TheExampleManifestOfToolsExportParsesAndPassesTheContract()
    {
        var example = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "tools", "export", "manifest.example.json");
        if (!File.Exists(example)) Prerequisite.Missing($"tools/export/manifest.example.json not found from {AppContext.BaseDirectory}");
        var m = ModelSetManifest.Load(example);
        var ex = Assert.Throws<ModelSetException>(() => ModelSetValidator.CheckFilesAndContract(m));
        // Only the files are missing (no weights here); names, ranks and reference channels agree.
        Assert.All(ex.Message.Split(Environment.NewLine).Skip(1), line => Assert.Contains("file not found", line));
        var g = ModelGeometry.From(m);
        Assert.Equal((512, 64, 224, 256, 320, 768), (g.Resolution, g.Latent, g.CropSize, g.DetectorSize, g.PoseChannels, g.EmbedWidth));
        Assert.Equal(4096, g.ReferenceLengths[0]);
        Assert.All(ModelSetContract.NetworkKeys, k => Assert.True(g.IsFp16(k)));
    }

    [Fact]
    public void MissingManifestInputIsNamed()
    {
        using var set = new TinySet();
        set.Write(set.Read().Replace("\"name\": \"new_noise\"", "\"name\": \"new_noise_x\""));
        var ex = LoadFails(set);
        Assert.Contains("fused_step (unet_opt.onnx): manifest lists no input 'new_noise', which the engine binds.", ex.Message);
        Assert.Contains("manifest lists input 'new_noise_x', which the engine does not bind", ex.Message);
    }

    [Fact]
    public void InputRenamedInTheFileIsNamedWithWhatTheFileHas()
    {
        using var set = new TinySet();
        RewriteModel(set, "pose_guider.onnx", "pose", "Pose");
        var ex = LoadFails(set);
        Assert.Contains("pose_guider (pose_guider.onnx): the file has no input 'pose' (it has: Pose).", ex.Message);
        Assert.Contains("pose_guider (pose_guider.onnx): the file has input 'Pose' (float32, rank 5) that the manifest does not list", ex.Message);
    }

    [Fact]
    public void CaseOnlyRenameInTheManifestIsExplained()
    {
        using var set = new TinySet();
        set.Write(set.Read().Replace("\"name\": \"pixel_values\"", "\"name\": \"Pixel_Values\""));
        var ex = LoadFails(set);
        Assert.Contains("image_encoder (image_encoder.onnx): manifest lists input 'Pixel_Values', the engine binds 'pixel_values' (names are case-sensitive).", ex.Message);
    }

    [Fact]
    public void RankDtypeAndFixedSizeMismatchesAreReportedAgainstTheFile()
    {
        using var set = new TinySet();
        // pose: manifest rank 4 instead of 5 (the engine contract says 5, the file says 5).
        set.Edit(j => j["networks"]!["fused_step"]!["inputs"]!.AsArray().First(t => (string?)t!["name"] == "pose")!["shape"]!.AsArray().RemoveAt(0));
        var ex = LoadFails(set);
        Assert.Contains("fused_step (unet_opt.onnx): input 'pose' must have rank 5, manifest says 4.", ex.Message);

        using var set2 = new TinySet();
        set2.Edit(j => j["networks"]!["vae_encoder"]!["dtype"] = "fp16");
        ex = LoadFails(set2);
        Assert.Contains("vae_encoder (vae_encoder.onnx): manifest says input 'image' is float32, but the network's dtype is fp16 (float16).", ex.Message);

        using var set3 = new TinySet();
        RewriteModel(set3, "motion_encoder.onnx", null, null, cropOverride: 48);
        ex = LoadFails(set3);
        Assert.Contains("motion_encoder (motion_encoder.onnx): input 'motion' dimension 3 is 48, manifest says 32.", ex.Message);
    }

    [Fact]
    public void MissingFilesNetworksAndExternalDataAreListedTogether()
    {
        using var set = new TinySet();
        File.Delete(Path.Combine(set.Directory, "pose_guider.onnx"));
        set.Edit(j => j["networks"]!["fused_step"]!["externalData"] = "unet_opt.onnx.data");
        var ex = LoadFails(set);
        Assert.Contains("pose_guider (pose_guider.onnx): file not found at", ex.Message);
        Assert.Contains("fused_step (unet_opt.onnx): external data 'unet_opt.onnx.data' not found next to the model", ex.Message);

        using var set2 = new TinySet();
        set2.Write(set2.Read().Replace("\"image_encoder\":", "\"clip\":"));
        ex = LoadFails(set2);
        Assert.Contains("networks: unknown network 'clip'", ex.Message);
        Assert.Contains("networks: 'image_encoder' is missing (all seven networks are required).", ex.Message);
    }

    /// <summary>Rewrites a tiny network: renames an input, or changes the crop size of the motion encoder's input.</summary>
    private static void RewriteModel(TinySet set, string file, string? from, string? to, int? cropOverride = null)
    {
        var path = Path.Combine(set.Directory, file);
        var g = new OnnxGraph("edited");
        if (from is not null)
        {
            g.Inputs.Add(new OnnxValueInfo(to!, OnnxDataType.Float, [1, 3, null, 64, 64]) { DimParams = [null, null, "frames", null, null] });
            g.Outputs.Add(new OnnxValueInfo("pose_cond_fea", OnnxDataType.Float, [1, 4, null, 8, 8]) { DimParams = [null, null, "frames", null, null] });
            g.AddNode("AveragePool", [to!], ["p"]).Attr("kernel_shape", new long[] { 1, 8, 8 }).Attr("strides", new long[] { 1, 8, 8 });
            g.AddInitializer("w", new float[12], 4, 3, 1, 1, 1);
            g.AddNode("Conv", ["p", "w"], ["pose_cond_fea"]);
        }
        else
        {
            var c = cropOverride!.Value;
            g.Inputs.Add(new OnnxValueInfo("motion", OnnxDataType.Float, [1, 3, null, c, c]) { DimParams = [null, null, "frames", null, null] });
            g.Outputs.Add(new OnnxValueInfo("motion_hidden_states", OnnxDataType.Float, [1, null, 32, 16]) { DimParams = [null, "frames", null, null] });
            g.AddNode("ReduceMean", ["motion"], ["m"]).Attr("axes", new long[] { 1 }).Attr("keepdims", 1L);
            g.AddNode("AveragePool", ["m"], ["p"]).Attr("kernel_shape", new long[] { 1, 1, 3 }).Attr("strides", new long[] { 1, 1, 3 });
            g.AddInitializer("ax", new long[] { 1 }, 1);
            g.AddNode("Squeeze", ["p", "ax"], ["motion_hidden_states"]);
        }
        new OnnxModel(g).Save(path);
    }

    [Fact]
    public void GpuProvidersFallBackToCpuWithTheReasonLogged()
    {
        var logger = new ListLogger();
        var appended = new List<string>();
        var choice = ExecutionProviders.Configure("tensorrt", ["CPUExecutionProvider"], appended.Add, logger, "fused_step");
        Assert.Equal("cpu", choice.Provider);
        Assert.Empty(appended);
        Assert.Equal(2, choice.FallbackReasons.Count);
        Assert.Contains("TensorrtExecutionProvider is not in this ONNX Runtime build (available: CPUExecutionProvider)", choice.FallbackReasons[0]);
        Assert.Contains("CUDAExecutionProvider is not in this ONNX Runtime build", choice.FallbackReasons[1]);
        Assert.Equal(2, logger.Lines.Count(l => l.Contains("falling back from tensorrt")));

        Assert.Contains(logger.Entries, e => e.Level == LogLevel.Warning && e.Text.Contains("falling back from tensorrt: CUDAExecutionProvider is not in this ONNX Runtime build") && e.Text.EndsWith("trying cpu", StringComparison.Ordinal));

        // TensorRT present but failing -> CUDA taken, with the failure as the reason, and logged although the chain did not end on the CPU.
        var gpuLogger = new ListLogger();
        choice = ExecutionProviders.Configure("tensorrt", ["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"],
            p => { if (p == "tensorrt") throw new InvalidOperationException("libnvinfer.so.10: cannot open shared object file"); appended.Add(p); }, gpuLogger, "fused_step");
        Assert.Equal("cuda", choice.Provider);
        Assert.Equal(["cuda"], appended);
        Assert.Contains("TensorrtExecutionProvider failed to initialise: libnvinfer.so.10", choice.FallbackReasons.Single());
        var skipped = Assert.Single(gpuLogger.Entries);
        Assert.Equal(LogLevel.Warning, skipped.Level);
        Assert.Equal("fused_step: falling back from tensorrt: TensorrtExecutionProvider failed to initialise: libnvinfer.so.10: cannot open shared object file; trying cuda", skipped.Text);

        // A provider that works first time logs nothing; cpu asks for nothing.
        var quiet = new ListLogger();
        Assert.Equal("cuda", ExecutionProviders.Configure("cuda", ["CUDAExecutionProvider", "CPUExecutionProvider"], _ => { }, quiet, "vae_encoder").Provider);
        Assert.Equal("cpu", ExecutionProviders.Configure("cpu", [], _ => throw new InvalidOperationException("must not append"), quiet, "vae_encoder").Provider);
        Assert.Empty(quiet.Entries);
        Assert.Equal(["cpu"], ExecutionProviders.Chain("cpu"));
    }

    [Fact]
    public void ThisMachinesRuntimeFallsBackFromCudaAndSessionsAreSharedPerNetwork()
    {
        using var set = new TinySet();
        var loggers = new ListLoggerFactory();
        using var sessions = PersonaLiveSessions.Load(set.ManifestPath, new EngineOptions { ExecutionProvider = "cuda", GraphOptimization = "basic" }, loggers);
        var available = Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetAvailableProviders();
        if (available.Contains("CUDAExecutionProvider")) Assert.Skip("This machine's ONNX Runtime has CUDA; the fallback is not exercised here.");
        Assert.All(sessions.Providers.Values, p => Assert.Contains("CUDAExecutionProvider is not in this ONNX Runtime build", Assert.Single(p.FallbackReasons)));
        Assert.Contains(loggers.Logger.Lines, l => l.Contains("fused_step: falling back from cuda: CUDAExecutionProvider is not in this ONNX Runtime build"));
        // One session per network: seven distinct sessions, each file loaded exactly once.
        Assert.Equal(7, ModelSetContract.NetworkKeys.Select(k => sessions[k]).Distinct().Count());
        Assert.Equal(7, loggers.Logger.Lines.Count(l => l.StartsWith("Loaded ONNX model ", StringComparison.Ordinal)));
        Assert.Equal(Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_BASIC, PersonaLiveSessions.OptimizationLevel("basic"));
    }
}

/// <summary>A logger that keeps every message (and its level) for assertions.</summary>
internal sealed class ListLogger : ILogger
{
    public List<string> Lines { get; } = [];
    public List<(LogLevel Level, string Text)> Entries { get; } = [];
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var text = formatter(state, exception);
        lock (Lines)
        {
            Lines.Add(text);
            Entries.Add((logLevel, text));
        }
    }
}

internal sealed class ListLoggerFactory : ILoggerFactory
{
    public ListLogger Logger { get; } = new();
    public void AddProvider(ILoggerProvider provider) { }
    public ILogger CreateLogger(string categoryName) => Logger;
    public void Dispose() { }
}
