using System.ComponentModel.DataAnnotations;

namespace PersonaLive.Inference.Engines;

/// <summary>
/// Engine selection and model settings (configuration section <c>Engine</c>; environment override
/// <c>Engine__Name=personalive</c> etc.). Validated when the host starts.
/// </summary>
public sealed class EngineOptions
{
    public const string SectionName = "Engine";

    /// <summary><c>lite</c> (default, CPU) or <c>personalive</c> (diffusion model, GPU).</summary>
    [Required, RegularExpression("^(lite|personalive)$", ErrorMessage = "Engine:Name must be 'lite' or 'personalive'.")]
    public string Name { get; set; } = "lite";

    /// <summary>Where model files live; provisioned there on first use or by <c>./persona.sh models</c>.</summary>
    [Required]
    public string ModelDirectory { get; set; } = DefaultModelDirectory();

    /// <summary>ONNX Runtime execution provider: <c>cpu</c>, <c>cuda</c> or <c>tensorrt</c> (falls back to cpu with a logged reason).</summary>
    [Required, RegularExpression("^(cpu|cuda|tensorrt)$", ErrorMessage = "Engine:ExecutionProvider must be 'cpu', 'cuda' or 'tensorrt'.")]
    public string ExecutionProvider { get; set; } = "cpu";

    /// <summary>ONNX Runtime graph optimisation level for the personalive engine: <c>disabled</c>, <c>basic</c>, <c>extended</c> or <c>all</c>.</summary>
    [Required, RegularExpression("^(disabled|basic|extended|all)$", ErrorMessage = "Engine:GraphOptimization must be 'disabled', 'basic', 'extended' or 'all'.")]
    public string GraphOptimization { get; set; } = "all";

    /// <summary>Run fp16 model variants where the model set provides them.</summary>
    public bool Fp16 { get; set; }

    /// <summary>
    /// Where the TensorRT execution provider keeps the engines it builds (building one takes minutes, so
    /// they must survive restarts). Used only with <c>ExecutionProvider=tensorrt</c>; then it is created if
    /// missing and must be writable by the app's user, checked at start (<see cref="EngineOptionsValidator"/>).
    /// </summary>
    [Required]
    public string TensorRtCacheDirectory { get; set; } = DefaultCacheDirectory("tensorrt");

    /// <summary>Default: <c>$XDG_CACHE_HOME/personalive/models</c> or <c>~/.cache/personalive/models</c>.</summary>
    public static string DefaultModelDirectory() => DefaultCacheDirectory("models");

    /// <summary><c>$XDG_CACHE_HOME/personalive/NAME</c>, or <c>~/.cache/personalive/NAME</c> without that variable.</summary>
    private static string DefaultCacheDirectory(string name)
    {
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrEmpty(cache))
            cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "personalive", name);
    }
}
