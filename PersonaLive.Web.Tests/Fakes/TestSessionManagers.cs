using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Hosting;
using PersonaLive.Web.Live.Diagnostics;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Sessions;

namespace PersonaLive.Web.Tests.Fakes;

/// <summary>
/// A <see cref="LiveSessionManager"/> wired as the app wires one (admission, share links, metrics, limits),
/// for tests that drive sessions directly with their own engines and peers, and the ready echo engine
/// factory most of them use.
/// </summary>
internal static class TestSessionManagers
{
    /// <summary>
    /// A manager over <paramref name="engines"/> and <paramref name="peers"/>; admission takes
    /// <paramref name="admitted"/> sessions (by default <see cref="LimitsOptions.MaxSessions"/>).
    /// </summary>
    public static LiveSessionManager Create(IAnimationEngineFactory engines, IMediaPeerFactory peers, IMeterFactory meters, LimitsOptions limits,
        TimeProvider? time = null, ILoggerFactory? loggers = null, int? admitted = null)
    {
        time ??= TimeProvider.System;
        return new LiveSessionManager(engines, peers, new AdmissionController(admitted ?? limits.MaxSessions), new ShareLinkRegistry(time),
            new LiveMetrics(meters), Options.Create(limits), time, loggers ?? NullLoggerFactory.Instance);
    }

    /// <summary>A ready factory named "echo" whose engines come from <paramref name="create"/>.</summary>
    public static FakeEngineFactory ReadyEcho(Func<IAnimationEngine> create) =>
        new("echo", new EngineStatus(EngineState.Ready, "ready")) { CreateEngineWith = create };
}
