using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Faces;
using PersonaLive.Inference.Imaging;
using PersonaLive.Inference.Models;
using PersonaLive.Inference.Onnx;

namespace PersonaLive.Inference.Lite;

/// <summary>
/// Factory of the <c>lite</c> engine (one per process): provisions the face models on first use
/// (<see cref="LiteModelProvisioner"/>), owns the two shared ONNX sessions, prepares portraits, and
/// creates a <see cref="LiteEngine"/> per live session. CPU only by design: <c>ExecutionProvider</c> and
/// <c>Fp16</c> of <see cref="EngineOptions"/> do not apply; <c>ModelDirectory</c> does.
/// </summary>
public sealed class LiteEngineFactory : IAnimationEngineFactory, IDisposable
{
    private readonly EngineOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly SharedOnnxSessions _sessions;
    private readonly SemaphoreSlim _warmUp = new(1, 1);
    private volatile EngineStatus _status = new(EngineState.NotStarted, "Face models not loaded yet.");

    public LiteEngineFactory(IOptions<EngineOptions> options, ILoggerFactory loggers) : this(options.Value, loggers) { }

    public LiteEngineFactory(EngineOptions options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _options = options;
        _loggers = loggers;
        _logger = loggers.CreateLogger<LiteEngineFactory>();
        _sessions = new SharedOnnxSessions(loggers.CreateLogger<SharedOnnxSessions>(), IntraOpThreads);
    }

    /// <summary>ONNX Runtime threads per model run: one, so concurrent sessions share 2 cores without oversubscription.</summary>
    public static int IntraOpThreads => 1;

    public string Name => "lite";
    public EngineStatus Status => _status;

    private string DetectorPath => Path.Combine(_options.ModelDirectory, LiteModelProvisioner.DetectorOnnx);
    private string LandmarkPath => Path.Combine(_options.ModelDirectory, LiteModelProvisioner.LandmarkOnnx);

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
                if (!LiteModelProvisioner.IsProvisioned(_options.ModelDirectory))
                {
                    Set(new EngineStatus(EngineState.Provisioning, "Provisioning face models (first run)...", 0));
                    await new LiteModelProvisioner(_loggers.CreateLogger<LiteModelProvisioner>())
                        .ProvisionAsync(_options.ModelDirectory, new SyncProgress(Set), cancellationToken).ConfigureAwait(false);
                }
                Set(new EngineStatus(EngineState.Loading, "Loading face models...", null));
                await Task.Run(() => { _sessions.Get(DetectorPath); _sessions.Get(LandmarkPath); }, cancellationToken).ConfigureAwait(false);
                Set(new EngineStatus(EngineState.Ready, "Lite engine ready.", 1));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogError(ex, "Lite engine warm-up failed");
                Set(new EngineStatus(EngineState.Failed, ex.Message));
                throw;
            }
        }
        finally
        {
            _warmUp.Release();
        }
    }

    public async Task<PortraitResult> PreparePortraitAsync(ReadOnlyMemory<byte> encodedImage, CancellationToken cancellationToken)
    {
        if (_status.State != EngineState.Ready)
        {
            try
            {
                await WarmUpAsync(null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return PortraitResult.Fail($"The face models are not available: {ex.Message}");
            }
        }
        return await Task.Run(() =>
        {
            using var detector = new FaceDetector(_sessions.Get(DetectorPath));
            using var landmarker = new FaceLandmarker(_sessions.Get(LandmarkPath));
            return new PortraitPreparer(detector, landmarker).Prepare(encodedImage.Span);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates a session's engine; <see cref="WarmUpAsync"/> must have completed.</summary>
    public LiteEngine CreateLiteEngine()
    {
        if (_status.State != EngineState.Ready)
            throw new InvalidOperationException($"The lite engine is not ready ({_status.Message}); call WarmUpAsync first.");
        var tracker = new FaceTracker(new FaceDetector(_sessions.Get(DetectorPath)), new FaceLandmarker(_sessions.Get(LandmarkPath)));
        return new LiteEngine(tracker, _loggers.CreateLogger<LiteEngine>());
    }

    public IAnimationEngine CreateEngine() => CreateLiteEngine();

    /// <summary>A tracker of its own over the shared models (measurements in tests and benchmarks).</summary>
    internal FaceTracker CreateTracker() =>
        new(new FaceDetector(_sessions.Get(DetectorPath)), new FaceLandmarker(_sessions.Get(LandmarkPath)));

    /// <summary>Where <see cref="PreparePortraitAsync"/> would crop <paramref name="photo"/> (crop pixel -> photo pixel).</summary>
    internal Affine2? LocatePortrait(RgbaImage photo)
    {
        using var detector = new FaceDetector(_sessions.Get(DetectorPath));
        using var landmarker = new FaceLandmarker(_sessions.Get(LandmarkPath));
        return new PortraitPreparer(detector, landmarker).Locate(photo, out _);
    }

    public void Dispose()
    {
        _sessions.Dispose();
        _warmUp.Dispose();
    }

    /// <summary>Reports synchronously (Progress&lt;T&gt; would post to a captured context out of order).</summary>
    private sealed class SyncProgress(Action<EngineStatus> report) : IProgress<EngineStatus>
    {
        public void Report(EngineStatus value) => report(value);
    }
}
