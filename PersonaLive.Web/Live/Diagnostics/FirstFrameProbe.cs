namespace PersonaLive.Web.Live.Diagnostics;

/// <summary>
/// Where the Studio hands on what its page measured once per start: milliseconds from pressing Start to
/// the first presented animated output frame (performance.now() in the page, so the browser's own clock).
/// The first-frame benchmark listens; nothing else does.
/// </summary>
public static class FirstFrameProbe
{
    /// <summary>Raised with (session id, milliseconds) once per started session.</summary>
    public static event Action<string, double>? Reported;

    internal static void Report(string sessionId, double milliseconds) => Reported?.Invoke(sessionId, milliseconds);
}
