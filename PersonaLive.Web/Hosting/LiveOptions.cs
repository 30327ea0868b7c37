using System.ComponentModel.DataAnnotations;

namespace PersonaLive.Web.Hosting;

/// <summary>
/// Live-loop settings (configuration section <c>Live</c>). The echo test engine's keys
/// (<c>Live:EchoEngineDelayMs</c>, <c>Live:EchoEngineDelayFrames</c>) are not product settings: only a test
/// or benchmark host can honour them (see <see cref="TestEngineRegistration"/>).
/// </summary>
public sealed class LiveOptions
{
    public const string SectionName = "Live";

    /// <summary>Start engine warm-up (model provisioning, session loading) when the server starts.</summary>
    public bool WarmUpOnStart { get; set; } = true;
}
