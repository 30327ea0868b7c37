using Microsoft.Extensions.Options;
using PersonaLive.Inference.Engines;
using OpenTelemetry.Metrics;
using PersonaLive.Web.Components;
using PersonaLive.Web.Live.Diagnostics;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Portraits;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.WebRtc.PeerConnection;

namespace PersonaLive.Web.Hosting;

/// <summary>
/// Composition root of the web app: options (validated on start), services, endpoints
/// (Blazor Studio and Watch pages, WHIP <c>/whip</c> and WHEP <c>/whep</c> signalling, <c>/healthz</c>, Prometheus <c>/metrics</c>). Kept apart from Program.cs so the entry point stays thin.
/// </summary>
internal static class WebHostSetup
{
    public static WebApplication Build(string[] args)
    {
        NativeHeap.Configure();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Serve wwwroot (css, js/live.js) from the build output too, not only after publish or in
        // Development: `persona.sh`, the CLI and the e2e benchmark run the built app in any environment.
        // A published app has no static-web-assets manifest, and then this does nothing.
        builder.WebHost.UseStaticWebAssets();
        AddServices(builder.Services, builder.Configuration);
        var app = builder.Build();
        MapEndpoints(app);
        return app;
    }

    public static void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        AppOptions.AddAll(services, configuration);

        // Only the product engines: the echo test engine is registered by tests and benchmarks alone.
        services.AddSingleton<IAnimationEngineFactory>(sp =>
            EngineRegistry.CreateFactory(sp.GetRequiredService<IOptions<EngineOptions>>().Value, sp.GetRequiredService<ILoggerFactory>()));
        AddLive(services);

        services.AddHealthChecks();
        services.AddRazorComponents().AddInteractiveServerComponents();
    }

    /// <summary>
    /// The live loop's services. <see cref="IMediaPeerFactory"/> is the seam to PersonaLive.WebRtc, bound by
    /// the RtcMediaPeerFactory adapter (one shared UDP media port for every session).
    /// </summary>
    private static void AddLive(IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IMediaPeerFactory, PersonaLive.Web.Live.Media.Rtc.RtcMediaPeerFactory>();
        services.AddSingleton<LiveMetrics>();
        services.AddSingleton(sp =>
        {
            var admission = new AdmissionController(sp.GetRequiredService<IOptions<LimitsOptions>>().Value.MaxSessions);
            var metrics = sp.GetRequiredService<LiveMetrics>();
            admission.WaitingChanged += metrics.WaitingChanged;
            return admission;
        });
        services.AddSingleton<ShareLinkRegistry>();
        services.AddSingleton<LiveSessionManager>();
        services.AddSingleton<PersonaLive.Web.Live.GoLive.GoLiveService>();
        services.AddScoped<CircuitPresence>();
        services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler>(sp => sp.GetRequiredService<CircuitPresence>());

        services.AddSingleton<PresetPortraits>();
        services.AddSingleton<PersonaLive.Web.Live.Portraits.PortraitDecodeGate>();
        services.AddHostedService<IdleSessionReaper>();
        services.AddSingleton<PersonaLive.Web.Live.Signalling.IngestTokens>();
        services.AddSingleton<PersonaLive.Web.Live.Signalling.SignallingResources>();
        services.AddHostedService<PersonaLive.Web.Live.Signalling.SignallingSweeper>();
        services.AddHostedService<EngineWarmUpService>();

        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics
                .AddMeter(LiveMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Components")
                .AddPrometheusExporter();
            if (metrics is OpenTelemetry.Metrics.IDeferredMeterProviderBuilder deferred)
                deferred.Configure((sp, builder) => builder.AddView(OwnMetersOnly(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>())));
        });
    }

    /// <summary>
    /// The exporter follows meters by name, and OpenTelemetry merges the instruments of equal name and
    /// shape of every meter so named into one stream, which it drops for good once any of those meters
    /// is disposed. Another host in the same process (tests, an app embedding two hosts) that disposed
    /// its meters would so take this host's series off <c>/metrics</c>. Meters made by another host's
    /// meter factory are therefore dropped: this host exports its own instruments (and global ones) only.
    /// </summary>
    private static Func<System.Diagnostics.Metrics.Instrument, OpenTelemetry.Metrics.MetricStreamConfiguration?> OwnMetersOnly(
        System.Diagnostics.Metrics.IMeterFactory own) =>
        instrument => instrument.Meter.Scope is { } scope && !ReferenceEquals(scope, own) ? OpenTelemetry.Metrics.MetricStreamConfiguration.Drop : null;

    public static void MapEndpoints(WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapHealthChecks("/healthz");
        app.MapPrometheusScrapingEndpoint("/metrics");
        PersonaLive.Web.Live.Signalling.WhipEndpoints.MapWhip(app);
        PersonaLive.Web.Live.Signalling.WhepEndpoints.MapWhep(app);
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }
}
