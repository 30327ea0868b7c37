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
    public void Echo_engine_replaces_the_configured_engine_when_a_test_host_registers_it()
    {
        using var provider = ServicesFor(new Dictionary<string, string?> { ["Live:EchoEngineDelayMs"] = "120" }, testEngines: true);
        provider.GetRequiredService<IStartupValidator>().Validate();
        var engine = provider.GetRequiredService<PersonaLive.Inference.Engines.IAnimationEngineFactory>();
        Assert.Equal("echo", engine.Name);
        Assert.Contains("120 ms", engine.Status.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Live:EchoEngineDelayMs", "0")]
    [InlineData("Live:EchoEngineDelayFrames", "8")]
    public void Production_configuration_naming_the_echo_engine_stops_the_app(string key, string value)
    {
        using var provider = ServicesFor(new Dictionary<string, string?> { [key] = value });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("select the echo test engine, which only tests and benchmarks can register", ex.Message, StringComparison.Ordinal);
        Assert.NotEqual("echo", provider.GetRequiredService<PersonaLive.Inference.Engines.IAnimationEngineFactory>().Name);
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
        // What Rtc__AnnouncedAddresses__0 makes of appsettings.json's empty list: one configured entry.
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

    [Theory]
    [InlineData("Rtc:IceServers:0:Urls:0", "turn:10.0.0.1:3478", "Rtc:IceServers:0: a TURN server needs Username and Credential, or SharedSecret")]
    [InlineData("Rtc:IceServers:0:Urls:0", "http://10.0.0.1", "Rtc:IceServers:0:Urls:0 must be a stun:")]
    [InlineData("Rtc:IceTransportPolicy", "relays", "Rtc:IceTransportPolicy must be")]
    [InlineData("Rtc:ConsentTimeoutSeconds", "0", "Rtc:ConsentTimeoutSeconds must be 1..3600")]
    public void Invalid_rtc_setting_stops_the_app_naming_the_key(string key, string value, string expected)
    {
        using var provider = ServicesFor(new Dictionary<string, string?> { [key] = value });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--Rtc:BindAddress", "not-an-address", "Rtc:BindAddress must be an IP address")]
    [InlineData("--Rtc:IceServers:0:Urls:0", "turn:10.0.0.1:3478", "Rtc:IceServers:0: a TURN server needs Username and Credential, or SharedSecret")]
    public async Task Invalid_rtc_setting_on_the_command_line_stops_the_real_host_at_start(string key, string value, string expected)
    {
        // What `persona.sh run --Rtc:...` builds: the host refuses to start, and the error names the key.
        var app = PersonaLive.Web.Hosting.WebHostSetup.Build(
            ["--urls", "http://127.0.0.1:0", "--Rtc:MediaPort", "0", "--Live:WarmUpOnStart", "false", key, value]);
        await using (app)
        {
            var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));
            Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Short_turn_secret_stops_the_app_without_showing_the_secret()
    {
        using var provider = ServicesFor(new Dictionary<string, string?>
        {
            ["Rtc:IceServers:0:Urls:0"] = "turn:10.0.0.1:3478", ["Rtc:IceServers:0:SharedSecret"] = "tiny-secret",
        });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Rtc:IceServers:0:SharedSecret is too short", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("tiny-secret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Turn_with_shared_secret_hands_each_page_its_own_expiring_credential_and_never_the_secret()
    {
        const string secret = "a-long-shared-turn-secret-0123456789";
        using var provider = ServicesFor(new Dictionary<string, string?>
        {
            ["Rtc:IceServers:0:Urls:0"] = "stun:10.0.0.1:3478",
            ["Rtc:IceServers:1:Urls:0"] = "turn:10.0.0.1:3478?transport=udp", ["Rtc:IceServers:1:Urls:1"] = "turn:10.0.0.1:3478?transport=tcp",
            ["Rtc:IceServers:1:SharedSecret"] = secret, ["Rtc:IceServers:1:CredentialTtlSeconds"] = "600",
            ["Rtc:IceServers:2:Urls:0"] = "turn:10.0.0.2:3478", ["Rtc:IceServers:2:Username"] = "u", ["Rtc:IceServers:2:Credential"] = "p",
        });
        provider.GetRequiredService<IStartupValidator>().Validate();
        var rtc = provider.GetRequiredService<IOptions<PersonaLive.WebRtc.PeerConnection.RtcOptions>>().Value;
        var now = new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);

        var a = PersonaLive.Web.Live.Media.Rtc.BrowserIceServers.For(rtc, "page-a", new FixedTime(now));
        var b = PersonaLive.Web.Live.Media.Rtc.BrowserIceServers.For(rtc, "page-b", new FixedTime(now));

        Assert.Equal(3, a.Count);
        Assert.Null(a[0].Username);
        Assert.Equal(["turn:10.0.0.1:3478?transport=udp", "turn:10.0.0.1:3478?transport=tcp"], a[1].Urls);
        Assert.Equal($"{now.AddSeconds(600).ToUnixTimeSeconds()}:page-a", a[1].Username);
        // coturn's check: base64(HMAC-SHA1(secret, username)).
        string expected = Convert.ToBase64String(System.Security.Cryptography.HMACSHA1.HashData(
            System.Text.Encoding.UTF8.GetBytes(secret), System.Text.Encoding.UTF8.GetBytes(a[1].Username!)));
        Assert.Equal(expected, a[1].Credential);
        Assert.NotEqual(a[1].Credential, b[1].Credential);
        Assert.DoesNotContain(secret, System.Text.Json.JsonSerializer.Serialize(a), StringComparison.Ordinal);
        Assert.Equal(("u", "p"), (a[2].Username, a[2].Credential));
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static ServiceProvider ServicesFor(Dictionary<string, string?> settings, bool testEngines = false)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        services.AddSingleton<IConfiguration>(configuration);
        PersonaLive.Web.Hosting.WebHostSetup.AddServices(services, configuration);
        if (testEngines) PersonaLive.Testing.Hosting.TestEngines.AddTestEngines(services);
        return services.BuildServiceProvider();
    }

    /// <summary>The real app with its media socket on a free port, so tests never collide on UDP 50000.</summary>
    public sealed class AppFactory : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
            builder.UseSetting("Rtc:MediaPort", "0");
    }
}
