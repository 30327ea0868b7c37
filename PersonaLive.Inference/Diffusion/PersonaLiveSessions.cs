using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using PersonaLive.Inference.Diffusion.ModelSet;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Onnx;

namespace PersonaLive.Inference.Diffusion;

/// <summary>
/// Loads and validates a model set and owns its seven ONNX Runtime sessions, one per network per process
/// (through <see cref="SharedOnnxSessions"/>). Session options come from <see cref="EngineOptions"/>:
/// execution provider with fallback (<see cref="ExecutionProviders"/>), graph optimisation level, fp16
/// (TensorRT fp16 kernels; the model set's own dtype decides the tensor types). Models are opened by path
/// so external data next to the fused step resolves.
/// </summary>
public sealed class PersonaLiveSessions : IDisposable
{
    private readonly SharedOnnxSessions _shared;
    private readonly Dictionary<string, InferenceSession> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProviderChoice> _providers = new(StringComparer.OrdinalIgnoreCase);

    private PersonaLiveSessions(ModelSetManifest manifest, ModelGeometry geometry, SharedOnnxSessions shared)
    {
        Manifest = manifest;
        Geometry = geometry;
        _shared = shared;
    }

    public ModelSetManifest Manifest { get; }
    public ModelGeometry Geometry { get; }

    /// <summary>The provider the fused step runs on (decides where carried state lives).</summary>
    public string FusedProvider => _providers.TryGetValue(Manifest[ModelSetContract.FusedStep].FullPath, out var p) ? p.Provider : ExecutionProviders.Cpu;

    /// <summary>Provider per network key, with fallback reasons.</summary>
    public IReadOnlyDictionary<string, ProviderChoice> Providers =>
        ModelSetContract.NetworkKeys.ToDictionary(k => k, k => _providers[Manifest[k].FullPath]);

    public InferenceSession this[string key] => _byKey[key];

    /// <summary>Where a model set's manifest is looked for: <c>{dir}/personalive/manifest.json</c>, then <c>{dir}/manifest.json</c>.</summary>
    public static string? FindManifest(string modelDirectory)
    {
        foreach (var p in new[] { Path.Combine(modelDirectory, "personalive", ModelSetManifest.FileName), Path.Combine(modelDirectory, ModelSetManifest.FileName) })
            if (File.Exists(p)) return p;
        return null;
    }

    /// <summary>Reads the manifest, checks it, creates the sessions and checks each file against the manifest.</summary>
    public static PersonaLiveSessions Load(string manifestPath, EngineOptions options, ILoggerFactory loggers, int intraOpThreads = 1)
    {
        var logger = loggers.CreateLogger<PersonaLiveSessions>();
        var manifest = ModelSetManifest.Load(manifestPath);
        ModelSetValidator.CheckFilesAndContract(manifest);
        var geometry = ModelGeometry.From(manifest);
        logger.LogInformation("Model set {Path} is {Dtype}; each network's tensors follow its own manifest dtype (Engine:Fp16={Fp16} only enables TensorRT fp16 kernels)",
            manifest.Path, geometry.DtypeSummary, options.Fp16);
        var available = OrtEnv.Instance().GetAvailableProviders();
        PersonaLiveSessions? result = null;
        SharedOnnxSessions? shared = null;
        shared = new SharedOnnxSessions(loggers.CreateLogger<SharedOnnxSessions>(), intraOpThreads, path =>
        {
            var key = manifest.Networks.Values.First(n => n.FullPath == path).Key;
            var so = new SessionOptions
            {
                GraphOptimizationLevel = OptimizationLevel(options.GraphOptimization),
                IntraOpNumThreads = intraOpThreads,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            };
            var choice = ExecutionProviders.Configure(options.ExecutionProvider, available,
                p => ExecutionProviders.Append(so, p, TensorRtOptions(key, geometry, options.Fp16 || geometry.IsFp16(key), options.TensorRtCacheDirectory)), logger, key);
            result!._providers[path] = choice;
            if (choice.Provider == ExecutionProviders.Cpu && manifest[key].Dtype == "fp16")
                logger.LogWarning("{Key} is fp16 on the CPU provider, which lacks fp16 kernels for several operators; expect failures or slowness", key);
            return so;
        });
        result = new PersonaLiveSessions(manifest, geometry, shared);
        try
        {
            var errors = new List<string>();
            foreach (var key in ModelSetContract.NetworkKeys)
            {
                var n = manifest[key];
                InferenceSession session;
                try
                {
                    session = shared.Get(n.FullPath);
                }
                catch (OnnxRuntimeException ex)
                {
                    errors.Add($"{n.Describe}: ONNX Runtime could not load {n.FullPath}: {ex.Message}");
                    continue;
                }
                result._byKey[key] = session;
                errors.AddRange(ModelSetValidator.CompareWithFile(n,
                    ModelSetValidator.FromMetadata(session.InputMetadata), ModelSetValidator.FromMetadata(session.OutputMetadata)));
                logger.LogInformation("{Key}: {File} on {Provider}", key, n.FullPath, result._providers[n.FullPath].Provider);
            }
            if (errors.Count > 0) throw new ModelSetException($"{manifest.Path}: " + string.Join(Environment.NewLine, errors));
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>Maps <c>Engine:GraphOptimization</c> to ONNX Runtime's level.</summary>
    public static GraphOptimizationLevel OptimizationLevel(string name) => name switch
    {
        "disabled" => GraphOptimizationLevel.ORT_DISABLE_ALL,
        "basic" => GraphOptimizationLevel.ORT_ENABLE_BASIC,
        "extended" => GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
        _ => GraphOptimizationLevel.ORT_ENABLE_ALL,
    };

    /// <summary>
    /// TensorRT options: fp16, the engine cache in <paramref name="cacheDirectory"/> (Engine:TensorRtCacheDirectory),
    /// and for the fused step the official profile (reference lengths 1x/2x/4x, port-notes §2.5).
    /// </summary>
    public static Dictionary<string, string> TensorRtOptions(string key, ModelGeometry g, bool fp16, string cacheDirectory)
    {
        var o = new Dictionary<string, string>
        {
            ["trt_fp16_enable"] = fp16 ? "1" : "0",
            ["trt_engine_cache_enable"] = "1",
            ["trt_engine_cache_path"] = cacheDirectory,
        };
        if (key != ModelSetContract.FusedStep) return o;
        var l = g.Latent;
        var spatial = $"sample:1x{g.LatentChannels}x16x{l}x{l},pose_cond_fea:1x{g.PoseChannels}x12x{l}x{l},pose:1x3x4x{g.Resolution}x{g.Resolution},new_noise:1x{g.LatentChannels}x4x{l}x{l}";
        string Shapes(int multiple) => spatial + "," + string.Join(',', ModelSetContract.ReferenceNames.Select((n, i) => $"{n}:1x{g.ReferenceLengths[i] * multiple}x{g.ReferenceChannels[i]}"));
        o["trt_profile_min_shapes"] = Shapes(1);
        o["trt_profile_opt_shapes"] = Shapes(2);
        o["trt_profile_max_shapes"] = Shapes(4);
        return o;
    }

    public void Dispose() => _shared.Dispose();
}
