using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using PersonaLive.Testing.Hosting;
using Microsoft.Extensions.DependencyInjection;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Portraits;

namespace PersonaLive.Web.Tests.Fakes;

/// <summary>
/// The real app in memory with its WebRTC media socket on a free loopback port and no engine warm-up at
/// start, for tests that drive live sessions with synthetic WebRTC clients. Extra settings go on top.
/// </summary>
internal static class RealStackApp
{
    public static WebApplicationFactory<Program> Start(params (string Key, string Value)[] settings)
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Live:WarmUpOnStart", "false");
            b.UseSetting("Rtc:MediaPort", "0");
            b.UseSetting("Rtc:BindAddress", "127.0.0.1");
            foreach (var (key, value) in settings) b.UseSetting(key, value);
            b.ConfigureTestServices(s => s.AddTestEngines());
        });
        _ = factory.Server; // starts the host (and binds the media socket) now
        return factory;
    }

    /// <summary>
    /// Fails unless the app's WebRTC stack is up, warms its engine and prepares the Ada preset with it:
    /// the portrait synthetic clients start sessions with, and the preset's PNG for their camera loop.
    /// </summary>
    public static async Task<(PreparedPortrait Portrait, byte[] Png)> AdaPortraitAsync(WebApplicationFactory<Program> factory, CancellationToken ct)
    {
        var services = factory.Services;
        if (services.GetRequiredService<IMediaPeerFactory>() is { IsAvailable: false } media)
            Assert.Fail($"The WebRTC stack is unavailable: {media.UnavailableReason}");
        var engines = services.GetRequiredService<IAnimationEngineFactory>();
        await engines.WarmUpAsync(null, ct);
        var preset = new PresetPortraits().Find("ada")!;
        return ((await engines.PreparePortraitAsync(preset.Png, ct)).Portrait!, preset.Png);
    }
}
