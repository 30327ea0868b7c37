using Microsoft.AspNetCore.Mvc.Testing;

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
        });
        _ = factory.Server; // starts the host (and binds the media socket) now
        return factory;
    }
}
