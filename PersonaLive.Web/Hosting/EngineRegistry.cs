using Microsoft.Extensions.Logging;
using PersonaLive.Inference.Engines;

namespace PersonaLive.Web.Hosting;

/// <summary>
/// Maps the configured engine name to its factory (<c>lite</c>: the CPU face-mesh engine;
/// <c>personalive</c>: the diffusion model on ONNX Runtime, from an exported model set). Engines not
/// built into this version yield an
/// <see cref="UnavailableEngineFactory"/> so the app still serves and says why nothing animates.
/// </summary>
internal static class EngineRegistry
{
    public static IAnimationEngineFactory CreateFactory(EngineOptions options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Name switch
        {
            "lite" => new PersonaLive.Inference.Lite.LiteEngineFactory(options, loggers),
            "personalive" => new PersonaLive.Inference.Diffusion.PersonaLiveEngineFactory(options, loggers),
            _ => new UnavailableEngineFactory(options.Name),
        };
    }
}

/// <summary>Stands in for an engine that this build does not contain; every use reports why.</summary>
internal sealed class UnavailableEngineFactory(string name) : IAnimationEngineFactory
{
    public string Name => name;

    public EngineStatus Status { get; } = new(EngineState.Failed, $"The '{name}' engine is not available in this build.");

    public Task WarmUpAsync(IProgress<EngineStatus>? progress, CancellationToken cancellationToken)
    {
        progress?.Report(Status);
        return Task.FromException(new InvalidOperationException(Status.Message));
    }

    public Task<PortraitResult> PreparePortraitAsync(ReadOnlyMemory<byte> encodedImage, CancellationToken cancellationToken) =>
        Task.FromResult(PortraitResult.Fail(Status.Message));

    public IAnimationEngine CreateEngine() => throw new InvalidOperationException(Status.Message);
}
