using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace PersonaLive.Inference.Diffusion;

/// <summary>The provider a session got and why any preferred provider was skipped.</summary>
public sealed record ProviderChoice(string Provider, IReadOnlyList<string> FallbackReasons);

/// <summary>
/// Execution-provider selection with fallback (docs/personalive-engine.md): <c>tensorrt</c> -> <c>cuda</c> -> <c>cpu</c>.
/// A provider is skipped when this ONNX Runtime build does not contain it or when appending it fails
/// (missing CUDA/TensorRT libraries, no device); each skip is logged with its reason, and CPU always works.
/// </summary>
public static class ExecutionProviders
{
    public const string Cpu = "cpu", Cuda = "cuda", TensorRt = "tensorrt";

    /// <summary>Providers to try, best first, for a configured name.</summary>
    public static IReadOnlyList<string> Chain(string requested) => requested switch
    {
        TensorRt => [TensorRt, Cuda, Cpu],
        Cuda => [Cuda, Cpu],
        Cpu => [Cpu],
        _ => throw new ArgumentException($"Unknown execution provider '{requested}' (use cpu, cuda or tensorrt).", nameof(requested)),
    };

    /// <summary>ONNX Runtime's name of a provider.</summary>
    public static string OrtName(string provider) => provider switch
    {
        TensorRt => "TensorrtExecutionProvider",
        Cuda => "CUDAExecutionProvider",
        _ => "CPUExecutionProvider",
    };

    /// <summary>
    /// Appends the first provider of <paramref name="requested"/>'s chain that is available and accepts
    /// <paramref name="append"/> (the real appender is <see cref="Append"/>); CPU needs no call.
    /// </summary>
    public static ProviderChoice Configure(string requested, IReadOnlyCollection<string> available, Action<string> append, ILogger logger, string what)
    {
        var reasons = new List<string>();
        var chain = Chain(requested);
        for (var i = 0; i < chain.Count && chain[i] != Cpu; i++)
        {
            var p = chain[i];
            var ort = OrtName(p);
            string reason;
            if (!available.Contains(ort))
                reason = $"{ort} is not in this ONNX Runtime build (available: {string.Join(", ", available)})";
            else
            {
                try
                {
                    append(p);
                    return new ProviderChoice(p, reasons);
                }
                catch (Exception ex) when (ex is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException or InvalidOperationException)
                {
                    reason = $"{ort} failed to initialise: {ex.Message}";
                }
            }
            // Logged at once, whichever provider the chain ends on: a TensorRT failure with CUDA taken is
            // as much a surprise to the operator (slower, no fp16 kernels) as one that ends on the CPU.
            reasons.Add(reason);
            logger.LogWarning("{What}: falling back from {Requested}: {Reason}; trying {Next}", what, requested, reason, chain[i + 1]);
        }
        return new ProviderChoice(Cpu, reasons);
    }

    /// <summary>Appends a GPU provider to <paramref name="options"/> (TensorRT with the reference-length profile and fp16 when asked).</summary>
    public static void Append(SessionOptions options, string provider, IReadOnlyDictionary<string, string>? tensorRtOptions)
    {
        switch (provider)
        {
            case TensorRt:
                using (var trt = new OrtTensorRTProviderOptions())
                {
                    if (tensorRtOptions is { Count: > 0 }) trt.UpdateOptions(new Dictionary<string, string>(tensorRtOptions));
                    options.AppendExecutionProvider_Tensorrt(trt);
                }
                options.AppendExecutionProvider_CUDA(0); // nodes TensorRT does not take
                break;
            case Cuda:
                options.AppendExecutionProvider_CUDA(0);
                break;
            default:
                throw new ArgumentException($"No GPU provider '{provider}'.", nameof(provider));
        }
    }
}
