using Microsoft.Extensions.Options;

namespace PersonaLive.Inference.Engines;

/// <summary>
/// Start-time checks of <see cref="EngineOptions"/> that attributes cannot express: with the TensorRT
/// provider, <see cref="EngineOptions.TensorRtCacheDirectory"/> must exist (it is created) and be writable
/// by the app's user. Otherwise TensorRT would fail to save its engines only when the first session
/// starts, and rebuild them (minutes) on every start.
/// </summary>
public sealed class EngineOptionsValidator : IValidateOptions<EngineOptions>
{
    public ValidateOptionsResult Validate(string? name, EngineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ExecutionProvider != "tensorrt") return ValidateOptionsResult.Success;
        var error = WritableDirectoryError(options.TensorRtCacheDirectory);
        return error is null
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Engine:TensorRtCacheDirectory '{options.TensorRtCacheDirectory}' is not usable: {error}");
    }

    /// <summary>Creates <paramref name="directory"/> if missing and proves it writable with a probe file; null when fine, else why not.</summary>
    public static string? WritableDirectoryError(string directory)
    {
        if (string.IsNullOrWhiteSpace(directory)) return "no path given";
        try
        {
            Directory.CreateDirectory(directory);
            var probe = Path.Combine(directory, $".write-probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, [1]);
            File.Delete(probe);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return ex.Message;
        }
    }
}
