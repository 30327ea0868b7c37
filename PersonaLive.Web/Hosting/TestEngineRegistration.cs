namespace PersonaLive.Web.Hosting;

/// <summary>
/// Present in a host's services only when a test or benchmark composed the host with the test engines
/// (PersonaLive.Testing registers it). Production never does, so a production configuration that names
/// the echo test engine stops the app at start with a clear message instead of animating with a stand-in.
/// </summary>
internal sealed class TestEngineRegistration
{
    /// <summary>The <c>Live</c> keys that select or tune the echo test engine.</summary>
    public static readonly IReadOnlyList<string> EchoEngineKeys = ["EchoEngineDelayMs", "EchoEngineDelayFrames", "EchoEngineOutputSize"];

    /// <summary>Why a production host refuses to start with one of <see cref="EchoEngineKeys"/> set.</summary>
    public const string ProductionMessage =
        "Live:EchoEngineDelayMs / Live:EchoEngineDelayFrames select the echo test engine, which only tests and benchmarks "
        + "can register; the app does not ship it. Remove these keys and choose the engine with Engine:Name (lite or personalive).";

    /// <summary>True unless <paramref name="configuration"/> names the echo engine in a host without the test engines.</summary>
    public static bool IsAllowed(IConfiguration configuration, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var live = configuration.GetSection(LiveOptions.SectionName);
        return !EchoEngineKeys.Any(k => live[k] is not null) || services.GetService(typeof(TestEngineRegistration)) is not null;
    }
}
