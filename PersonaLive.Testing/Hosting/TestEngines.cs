using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Hosting;
using PersonaLive.Web.Live.Diagnostics;

namespace PersonaLive.Testing.Hosting;

/// <summary>
/// Settings of the echo test engine, read from the app's <c>Live</c> section so a test configures it like
/// any other setting. Only hosts composed with <see cref="TestEngines.AddTestEngines"/> read them; the
/// product refuses them at start.
/// </summary>
public sealed class EchoEngineOptions
{
    /// <summary>When set, the echo test engine replaces <c>Engine:Name</c>, sleeping this long per chunk.</summary>
    [Range(0, 5000)] public int? EchoEngineDelayMs { get; set; }

    /// <summary>Each output echoes the camera frame this many frames back (a pipeline delay like the personalive engine's).</summary>
    [Range(0, 250)] public int EchoEngineDelayFrames { get; set; }

    /// <summary>Side of the echo's square output (256 by default; the network benchmark asks for 512, the live engines' size).</summary>
    [Range(64, 1024)] public int EchoEngineOutputSize { get; set; } = 256;
}

/// <summary>
/// Registers the test engines in a host's services: after the app's own registrations, so the echo test
/// engine replaces the configured engine when <c>Live:EchoEngineDelayMs</c> is set (the product engine
/// otherwise). Tests call it from <c>ConfigureTestServices</c>; benchmarks when they build the host.
/// </summary>
public static class TestEngines
{
    public static IServiceCollection AddTestEngines(this IServiceCollection services)
    {
        services.AddSingleton<TestEngineRegistration>();
        services.AddOptions<EchoEngineOptions>().BindConfiguration(LiveOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IAnimationEngineFactory>(sp =>
            sp.GetRequiredService<IOptions<EchoEngineOptions>>().Value is { EchoEngineDelayMs: { } delayMs } echo
                ? new DelayedEchoEngineFactory(TimeSpan.FromMilliseconds(delayMs), delayFrames: echo.EchoEngineDelayFrames, outputSize: echo.EchoEngineOutputSize)
                : EngineRegistry.CreateFactory(sp.GetRequiredService<IOptions<EngineOptions>>().Value, sp.GetRequiredService<ILoggerFactory>()));
        return services;
    }
}
