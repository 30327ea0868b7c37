namespace PersonaLive.Inference.Engines;

/// <summary>
/// Creates engines for sessions and owns what they share (ONNX Runtime sessions, model files).
/// One factory per process, chosen by configuration (<c>Engine:Name</c>).
/// </summary>
public interface IAnimationEngineFactory
{
    /// <summary>Engine name ("lite", "personalive").</summary>
    string Name { get; }

    /// <summary>Current readiness, for the UI ("provisioning models 40 %", "ready", "failed: ...").</summary>
    EngineStatus Status { get; }

    /// <summary>Provisions models and loads sessions if not done yet; reports progress; idempotent.</summary>
    Task WarmUpAsync(IProgress<EngineStatus>? progress, CancellationToken cancellationToken);

    /// <summary>Prepares a portrait (decode, detect face, align, crop) for <see cref="IAnimationEngine.SetPortrait"/>.</summary>
    Task<PortraitResult> PreparePortraitAsync(ReadOnlyMemory<byte> encodedImage, CancellationToken cancellationToken);

    /// <summary>Creates a per-session engine. Requires a completed warm-up.</summary>
    IAnimationEngine CreateEngine();
}

/// <summary>Readiness of an engine factory.</summary>
public enum EngineState { NotStarted, Provisioning, Loading, Ready, Failed }

/// <summary>State plus a human-readable message and optional progress fraction (0..1).</summary>
public sealed record EngineStatus(EngineState State, string Message, double? Progress = null);
