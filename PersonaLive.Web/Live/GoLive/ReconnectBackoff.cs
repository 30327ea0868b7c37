namespace PersonaLive.Web.Live.GoLive;

/// <summary>
/// The wait before the next Go live attempt: exponential from 1 s, doubling per failed attempt, capped at
/// 30 s; a server's Retry-After (RFC 9110 section 10.2.3, on 503/429) wins when longer. A publish that
/// stayed up for a minute starts again from 1 s. Pure arithmetic, so the schedule is tested on its own.
/// </summary>
internal static class ReconnectBackoff
{
    public static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan StableAfter = TimeSpan.FromMinutes(1);

    /// <summary>The wait after <paramref name="failures"/> consecutive failures (1 = the first).</summary>
    public static TimeSpan Delay(int failures, TimeSpan? retryAfter = null)
    {
        double seconds = First.TotalSeconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 16));
        var delay = TimeSpan.FromSeconds(Math.Min(seconds, Max.TotalSeconds));
        return retryAfter is { } ra && ra > delay ? (ra > TimeSpan.FromMinutes(10) ? TimeSpan.FromMinutes(10) : ra) : delay;
    }
}
