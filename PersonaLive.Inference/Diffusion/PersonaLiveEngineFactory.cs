using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PersonaLive.Inference.Diffusion.ModelSet;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Lite;

namespace PersonaLive.Inference.Diffusion;

/// <summary>Settings of the personalive engine that are not part of <see cref="EngineOptions"/>.</summary>
/// <param name="Seed">Noise seed of every session (the official config's 42); identical seed, portrait and frames give identical output.</param>
/// <param name="IntraOpThreads">ONNX Runtime threads per run.</param>
/// <param name="MirrorDrivingFrames">Flip camera frames left-right before use, as the official web client does
/// (port-notes §5.2), so the portrait moves like the person's mirror image.</param>
public sealed record PersonaLiveSettings(ulong Seed = 42, int IntraOpThreads = 1, bool MirrorDrivingFrames = true);

/// <summary>
/// Factory of the <c>personalive</c> engine (register for <c>Engine:Name=personalive</c>): finds the model
/// set in <c>Engine:ModelDirectory</c> (<c>personalive/manifest.json</c> or <c>manifest.json</c>), validates it
/// and creates the seven shared sessions on warm-up, and creates a <see cref="PersonaLiveEngine"/> per live
/// session. Portraits are prepared by the shared portrait preparer (through the lite factory, whose face
/// models are provisioned on first use). Without a valid model set the status is Failed with a message
/// saying what is wrong and how to export one (tools/export).
/// </summary>
public sealed class PersonaLiveEngineFactory : IAnimationEngineFactory, IDisposable
{
    private readonly EngineOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly PersonaLiveSettings _settings;
    private readonly SemaphoreSlim _warmUp = new(1, 1);
    private readonly Lazy<LiteEngineFactory> _portraits;
    private PersonaLiveSessions? _sessions;
    private volatile EngineStatus _status = new(EngineState.NotStarted, "PersonaLive models not loaded yet.");

    public PersonaLiveEngineFactory(IOptions<EngineOptions> options, ILoggerFactory loggers) : this(options.Value, loggers) { }

    public PersonaLiveEngineFactory(EngineOptions options, ILoggerFactory loggers) : this(options, loggers, new PersonaLiveSettings()) { }

    public PersonaLiveEngineFactory(EngineOptions options, ILoggerFactory loggers, PersonaLiveSettings settings)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentNullException.ThrowIfNull(settings);
        _options = options;
        _loggers = loggers;
        _settings = settings;
        _logger = loggers.CreateLogger<PersonaLiveEngineFactory>();
        _portraits = new Lazy<LiteEngineFactory>(() => new LiteEngineFactory(options, loggers));
    }

    public string Name => "personalive";
    public EngineStatus Status => _status;

    /// <summary>The loaded model set (after a successful warm-up).</summary>
    public PersonaLiveSessions? Sessions => _sessions;

    /// <summary>The message shown when the model directory holds no model set.</summary>
    public static string NoModelSetMessage(string directory) =>
        $"No PersonaLive model set in {directory} (looked for personalive/{ModelSetManifest.FileName} and {ModelSetManifest.FileName}). " +
        "Export one from the official weights with tools/export/export_onnx.py on a CUDA machine (see tools/export/README.md) " +
        "and copy the folder there, or set Engine:Name=lite.";

    public async Task WarmUpAsync(IProgress<EngineStatus>? progress, CancellationToken cancellationToken)
    {
        if (_status.State == EngineState.Ready) return;
        await _warmUp.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_status.State == EngineState.Ready) return;
            void Set(EngineStatus s) { _status = s; progress?.Report(s); }
            try
            {
                var manifest = PersonaLiveSessions.FindManifest(_options.ModelDirectory)
                    ?? throw new ModelSetException(NoModelSetMessage(_options.ModelDirectory));
                Set(new EngineStatus(EngineState.Loading, $"Loading the PersonaLive model set {manifest}...", null));
                _sessions = await Task.Run(() => PersonaLiveSessions.Load(manifest, _options, _loggers, _settings.IntraOpThreads), cancellationToken).ConfigureAwait(false);
                var g = _sessions.Geometry;
                Set(new EngineStatus(EngineState.Ready, $"PersonaLive engine ready ({g.Resolution}x{g.Resolution}, {g.DtypeSummary}, fused step on {_sessions.FusedProvider}).", 1));
            }
            catch (ModelSetException ex)
            {
                _logger.LogError("PersonaLive model set unusable: {Message}", ex.Message);
                Set(new EngineStatus(EngineState.Failed, ex.Message));
                throw;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogError(ex, "PersonaLive engine warm-up failed");
                Set(new EngineStatus(EngineState.Failed, ex.Message));
                throw;
            }
        }
        finally
        {
            _warmUp.Release();
        }
    }

    /// <summary>Shared portrait preparation (decode, detect, align, 512x512 crop); the engine resizes to its resolution.</summary>
    public Task<PortraitResult> PreparePortraitAsync(ReadOnlyMemory<byte> encodedImage, CancellationToken cancellationToken) =>
        _portraits.Value.PreparePortraitAsync(encodedImage, cancellationToken);

    /// <summary>Creates a session's engine; <see cref="WarmUpAsync"/> must have completed.</summary>
    public PersonaLiveEngine CreatePersonaLiveEngine()
    {
        if (_status.State != EngineState.Ready || _sessions is null)
            throw new InvalidOperationException($"The personalive engine is not ready ({_status.Message}); call WarmUpAsync first.");
        return new PersonaLiveEngine(_sessions, _settings.Seed, _loggers.CreateLogger<PersonaLiveEngine>(), _settings.MirrorDrivingFrames);
    }

    public IAnimationEngine CreateEngine() => CreatePersonaLiveEngine();

    public void Dispose()
    {
        _sessions?.Dispose();
        if (_portraits.IsValueCreated) _portraits.Value.Dispose();
        _warmUp.Dispose();
    }
}
