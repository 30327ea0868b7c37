using Microsoft.Extensions.Hosting;

namespace PersonaLive.Web.Live.Sessions;

/// <summary>Background sweep: every few seconds ends idle sessions and forgets long-closed share links.</summary>
internal sealed class IdleSessionReaper(LiveSessionManager sessions, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                await sessions.SweepIdleAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }
}
