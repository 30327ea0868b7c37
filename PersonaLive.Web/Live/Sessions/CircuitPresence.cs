using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PersonaLive.Web.Hosting;

namespace PersonaLive.Web.Live.Sessions;

/// <summary>
/// Notices that the person behind a Blazor circuit has gone (tab closed, navigation, network gone):
/// when the circuit's connection drops and does not come back within
/// <see cref="LimitsOptions.DepartedGraceSeconds"/>, <see cref="Departed"/> is raised once, so the
/// Studio ends its live session or leaves the queue at once instead of holding an admission slot until
/// ICE consent expires or Blazor drops the disconnected circuit (minutes). One per circuit (scoped).
/// </summary>
internal sealed partial class CircuitPresence(IOptions<LimitsOptions> limits, TimeProvider time, ILogger<CircuitPresence> log) : CircuitHandler, IDisposable
{
    private readonly object _lock = new();
    private CancellationTokenSource? _grace;
    private bool _departed;

    /// <summary>Raised (once, on a pool thread) when the connection stayed down for the grace period.</summary>
    public event Func<Task>? Departed;

    public override Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        CancellationToken token;
        lock (_lock)
        {
            if (_departed) return Task.CompletedTask;
            _grace?.Cancel();
            _grace = new CancellationTokenSource();
            token = _grace.Token;
        }
        _ = WaitThenDepartAsync(token);
        return Task.CompletedTask;
    }

    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        lock (_lock) _grace?.Cancel();
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken) => DepartAsync();

    private async Task WaitThenDepartAsync(CancellationToken token)
    {
        try { await Task.Delay(TimeSpan.FromSeconds(limits.Value.DepartedGraceSeconds), time, token).ConfigureAwait(false); }
        catch (OperationCanceledException) { return; }
        await DepartAsync().ConfigureAwait(false);
    }

    private async Task DepartAsync()
    {
        lock (_lock)
        {
            if (_departed) return;
            _departed = true;
        }
        if (Departed is { } handlers)
            foreach (var handler in handlers.GetInvocationList().Cast<Func<Task>>())
            {
                try { await handler().ConfigureAwait(false); }
                catch (Exception ex) when (ex is not OutOfMemoryException) { LogDepartFailed(log, ex); } // the page is gone; nothing to tell
            }
    }

    public void Dispose()
    {
        lock (_lock) _grace?.Cancel();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ending the work of a departed page failed")]
    private static partial void LogDepartFailed(ILogger logger, Exception ex);
}
