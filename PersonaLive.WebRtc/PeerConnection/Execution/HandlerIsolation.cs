using Microsoft.Extensions.Logging;

namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// Raises an event to each subscriber on its own: a subscriber that throws is logged and counted and
/// the next one still runs, so application code can never end a transport thread, the executor or
/// the process. One instance per connection; <see cref="Failures"/> shows in its stats.
/// </summary>
internal sealed class HandlerIsolation
{
    private readonly ILogger _logger;
    private long _failures;

    public HandlerIsolation(ILogger logger) => _logger = logger;

    /// <summary>Subscriber exceptions caught so far.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public void Raise<T>(EventHandler<T>? handler, object sender, T args, string name)
    {
        if (handler is null)
        {
            return;
        }

        if (handler.HasSingleTarget)
        {
            Invoke(handler, sender, args, name);
            return;
        }

        foreach (var d in Delegate.EnumerateInvocationList(handler))
        {
            Invoke(d, sender, args, name);
        }
    }

    public void Raise(EventHandler? handler, object sender, string name)
    {
        foreach (var d in Delegate.EnumerateInvocationList(handler))
        {
            try
            {
                d(sender, EventArgs.Empty);
            }
            catch (Exception e)
            {
                Count(e, name);
            }
        }
    }

    private void Invoke<T>(EventHandler<T> handler, object sender, T args, string name)
    {
        try
        {
            handler(sender, args);
        }
        catch (Exception e)
        {
            Count(e, name);
        }
    }

    private void Count(Exception e, string name)
    {
        Interlocked.Increment(ref _failures);
        _logger.LogError(e, "A {Event} handler threw; it was isolated and counted", name);
    }
}
