using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PersonaLive.Inference.Diffusion;
using PersonaLive.Inference.Diffusion.ModelSet;
using PersonaLive.Inference.Engines;

namespace PersonaLive.Inference.Tests.Diffusion.Parity;

/// <summary>
/// Loads the model set that tools/parity exported from the official PersonaLive code with seeded random
/// weights (six helper networks + the fused step, fp32, base resolution 256) through the engine's own
/// loader and validator, runs every network on the inputs the harness dumped, and compares with the
/// official PyTorch outputs. Needs PyTorch to produce its inputs, so it runs only when the harness points
/// <c>PERSONALIVE_PARITY_DIR</c> at its work folder (like the real-weights tests, it skips everywhere else).
/// Writes <c>results/networks.json</c> (max abs and relative error per output) into that folder.
/// </summary>
public sealed class OfficialNetworkParityTests
{
    /// <summary>fp32 parity target: max |ours - official| / max |official| per output.</summary>
    private const double RelativeTarget = 1e-4;

    [Fact]
    public void HelperNetworksMatchTheOfficialPyTorchOutputs()
    {
        var dir = Environment.GetEnvironmentVariable("PERSONALIVE_PARITY_DIR");
        if (string.IsNullOrEmpty(dir)) Assert.Skip("PERSONALIVE_PARITY_DIR not set (tools/parity/run.sh sets it)");
        var manifestPath = Path.Combine(dir, "modelset", ModelSetManifest.FileName);
        // A network exported alone into a fresh folder (EXPORT_ONLY) leaves a manifest without the other
        // six; its file is then found by the exporter's naming rule (<key>.onnx).
        ModelSetManifest? manifest = null;
        try { manifest = ModelSetManifest.Load(manifestPath); }
        catch (ModelSetException) when (File.Exists(manifestPath)) { }
        string FileOf(string key) => manifest?[key].FullPath ?? Path.Combine(dir, "modelset", key + ".onnx");
        // With all seven files present the set goes through the engine's loader and contract validator;
        // while the fused step is still being exported, the helper networks are checked on their own.
        var complete = manifest is not null && ModelSetContract.NetworkKeys.All(k => File.Exists(FileOf(k)));
        using var sessions = complete
            ? PersonaLiveSessions.Load(manifestPath, new EngineOptions { ExecutionProvider = "cpu" }, NullLoggerFactory.Instance, intraOpThreads: 2)
            : null;
        if (sessions is not null) Assert.Equal(sessions.Manifest.BaseResolution / 8, sessions.Geometry.Latent);
        var rows = new List<Dictionary<string, object>>();
        var failures = new List<string>();
        foreach (var key in ModelSetContract.NetworkKeys.Where(k => Directory.Exists(Path.Combine(dir, "dumps", k)) && File.Exists(FileOf(k))))
        {
            var dump = Path.Combine(dir, "dumps", key);
            using var options = new SessionOptions { IntraOpNumThreads = 2 };
            using var own = sessions is null ? new InferenceSession(FileOf(key), options) : null;
            var session = sessions?[key] ?? own!;
            var inputs = session.InputMetadata.Keys.Select(name =>
            {
                var a = Npy.Load(Path.Combine(dump, $"in_{name}.npy"));
                return NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(a.Data, a.Shape));
            }).ToList();
            using var results = session.Run(inputs);
            foreach (var r in results)
            {
                var ours = r.AsTensor<float>().ToArray();
                var official = Npy.Load(Path.Combine(dump, $"out_{r.Name}.npy"));
                Assert.Equal(official.Data.Length, ours.Length);
                var maxAbs = OfficialReference.MaxAbs(ours, official.Data);
                var scale = official.Data.Max(MathF.Abs);
                var rel = scale > 0 ? maxAbs / scale : maxAbs;
                rows.Add(new() { ["network"] = key, ["loadedBy"] = sessions is null ? "InferenceSession" : "PersonaLiveSessions", ["output"] = r.Name, ["shape"] = official.Shape, ["maxAbs"] = maxAbs, ["maxAbsOfficial"] = scale, ["relative"] = rel });
                if (!(rel <= RelativeTarget)) failures.Add($"{key}.{r.Name}: relative {rel:E2} (max abs {maxAbs:E2})");
            }
        }
        Directory.CreateDirectory(Path.Combine(dir, "results"));
        File.WriteAllText(Path.Combine(dir, "results", "networks.json"), JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        Assert.NotEmpty(rows);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
