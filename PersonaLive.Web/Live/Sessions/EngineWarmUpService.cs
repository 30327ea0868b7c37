using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Hosting;

namespace PersonaLive.Web.Live.Sessions;

/// <summary>
/// Warms the engine up in the background when the server starts (models provisioned and loaded before
/// the first person presses Start). Progress is visible through <see cref="IAnimationEngineFactory.Status"/>;
/// a failure is logged and shown by the Studio, and never stops the server.
/// </summary>
internal sealed partial class EngineWarmUpService(IAnimationEngineFactory engines, IOptions<LiveOptions> options, ILogger<EngineWarmUpService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.WarmUpOnStart) return;
        await Task.Yield();
        try
        {
            await engines.WarmUpAsync(new Progress<EngineStatus>(s => LogProgress(log, engines.Name, s.State, s.Message)), stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogFailed(log, ex, engines.Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Engine {Engine}: {State} {Message}")]
    private static partial void LogProgress(ILogger logger, string engine, EngineState state, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Engine {Engine} could not warm up; the Studio shows why")]
    private static partial void LogFailed(ILogger logger, Exception ex, string engine);
}
