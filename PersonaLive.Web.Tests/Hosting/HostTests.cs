using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace PersonaLive.Web.Tests.Hosting;

/// <summary>The real host in memory: health endpoint and the server-rendered Studio page.</summary>
public sealed class HostTests(HostTests.AppFactory factory) : IClassFixture<HostTests.AppFactory>
{
    [Fact]
    public async Task Healthz_reports_healthy()
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Studio_page_is_served_with_blazor_script()
    {
        using var client = factory.CreateClient();
        var html = await client.GetStringAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Contains("<h1", html, StringComparison.Ordinal);
        Assert.Contains("Studio", html, StringComparison.Ordinal);
        Assert.Contains("_framework/blazor.web.js", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prometheus_endpoint_exports_live_metrics()
    {
        using var client = factory.CreateClient();
        // Touch the pipeline's instruments: a request creates the meter via the session manager.
        _ = factory.Services.GetRequiredService<PersonaLive.Web.Live.Sessions.LiveSessionManager>();
        factory.Services.GetRequiredService<PersonaLive.Web.Live.Diagnostics.LiveMetrics>().FramesDropped.Add(3);
        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("personalive_frames_dropped", text, StringComparison.Ordinal);
        Assert.Contains("personalive_fps_out", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_page_for_an_unknown_token_is_served_with_a_clear_message()
    {
        using var client = factory.CreateClient();
        var html = await client.GetStringAsync(new Uri("/watch/AAAAAAAAAAAAAAAAAAAAAA", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Contains("This share link is not valid.", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Studio_offers_live_video_when_the_media_port_is_open()
    {
        using var client = factory.CreateClient();
        var html = await client.GetStringAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.DoesNotContain("Live video is unavailable", html, StringComparison.Ordinal);
        Assert.Contains("Drop a portrait here", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Studio_explains_when_the_media_port_is_taken()
    {
        // Another process holds the UDP port: the app still serves and says why live video cannot work.
        using var holder = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Any, 0));
        int port = ((System.Net.IPEndPoint)holder.Client.LocalEndPoint!).Port;
        await using var taken = factory.WithWebHostBuilder(b => b.UseSetting("Rtc:MediaPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using var client = taken.CreateClient();
        var html = await client.GetStringAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Contains($"the media port UDP {port} could not be opened", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Echo_engine_replaces_the_configured_engine_when_asked()
    {
        using var provider = ServicesFor(new Dictionary<string, string?> { ["Live:EchoEngineDelayMs"] = "120" });
        var engine = provider.GetRequiredService<PersonaLive.Inference.Engines.IAnimationEngineFactory>();
        Assert.Equal("echo", engine.Name);
        Assert.Contains("120 ms", engine.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_engine_name_fails_validation_on_start()
    {
        using var provider = ServicesFor(new Dictionary<string, string?> { ["Engine:Name"] = "nonsense" });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Engine:Name must be 'lite' or 'personalive'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Announced_address_from_the_environment_replaces_the_default()
    {
        // What Rtc__AnnouncedAddresses__0 makes of appsettings.json's [ "127.0.0.1" ]: one configured entry.
        using var provider = ServicesFor(new Dictionary<string, string?> { ["Rtc:AnnouncedAddresses:0"] = "203.0.113.7" });

        var rtc = provider.GetRequiredService<IOptions<PersonaLive.WebRtc.PeerConnection.RtcOptions>>().Value;
        Assert.Equal(["203.0.113.7"], rtc.EffectiveAnnouncedAddresses);
    }

    [Fact]
    public void Announced_address_that_is_not_an_ip_fails_validation_on_start()
    {
        using var provider = ServicesFor(new Dictionary<string, string?> { ["Rtc:AnnouncedAddresses:0"] = "my-host.example" });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Rtc:AnnouncedAddresses must be IP addresses", ex.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider ServicesFor(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        PersonaLive.Web.Hosting.WebHostSetup.AddServices(services, new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.BuildServiceProvider();
    }

    /// <summary>The real app with its media socket on a free port, so tests never collide on UDP 50000.</summary>
    public sealed class AppFactory : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
            builder.UseSetting("Rtc:MediaPort", "0");
    }
}
