using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace PersonaLive.Inference.Onnx;

/// <summary>
/// The process-wide ONNX Runtime sessions: one <see cref="InferenceSession"/> per model file, created on
/// first request and shared by every engine instance (docs/architecture.md: "one ORT session per model per
/// process"). <c>InferenceSession.Run</c> is safe to call concurrently, so per-session state lives in the
/// callers' <see cref="FixedShapeRunner"/> buffers, never here. An optional <c>optionsFactory</c> builds the
/// session options per model path (execution provider, optimisation level); the default is CPU,
/// all optimisations, <c>intraOpThreads</c> threads.
/// </summary>
public sealed class SharedOnnxSessions(ILogger<SharedOnnxSessions> logger, int intraOpThreads = 1, Func<string, SessionOptions>? optionsFactory = null) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<InferenceSession>> _sessions = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>Returns the shared session of <paramref name="modelPath"/>, loading it once.</summary>
    public InferenceSession Get(string modelPath)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var full = Path.GetFullPath(modelPath);
        var lazy = _sessions.GetOrAdd(full, p => new Lazy<InferenceSession>(() => Load(p)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // Do not cache the failure: a later call (after re-provisioning) loads again.
            _sessions.TryRemove(new KeyValuePair<string, Lazy<InferenceSession>>(full, lazy));
            throw;
        }
    }

    private InferenceSession Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Model file {path} is missing.", path);
        using var options = optionsFactory?.Invoke(path) ?? new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        var session = new InferenceSession(path, options);
        logger.LogInformation("Loaded ONNX model {Path} ({Threads} intra-op threads)", path, intraOpThreads);
        return session;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var lazy in _sessions.Values)
            if (lazy.IsValueCreated) lazy.Value.Dispose();
        _sessions.Clear();
    }
}
