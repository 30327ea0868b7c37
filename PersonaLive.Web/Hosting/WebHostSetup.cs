using Microsoft.Extensions.Options;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Components;
using PersonaLive.WebRtc.PeerConnection;

namespace PersonaLive.Web.Hosting;

/// <summary>
/// Composition root of the web app: options (validated on start), services, endpoints
/// (Blazor Studio, <c>/healthz</c>). Kept apart from Program.cs so the entry point stays thin.
/// </summary>
internal static class WebHostSetup
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Serve wwwroot and framework assets straight from a build output too (./persona.sh run does not
        // publish); in a published app the manifest is absent and this is a no-op.
        builder.WebHost.UseStaticWebAssets();
        AddServices(builder.Services, builder.Configuration);
        var app = builder.Build();
        MapEndpoints(app);
        return app;
    }

    public static void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EngineOptions>().Bind(configuration.GetSection(EngineOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LimitsOptions>().Bind(configuration.GetSection(LimitsOptions.SectionName))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RtcOptions>().Bind(configuration.GetSection(RtcOptions.SectionName))
            .Validate(o => o.MediaPort is >= 0 and <= 65535, "Rtc:MediaPort must be 0..65535.").ValidateOnStart();

        services.AddSingleton<IAnimationEngineFactory>(sp =>
            EngineRegistry.CreateFactory(sp.GetRequiredService<IOptions<EngineOptions>>().Value, sp.GetRequiredService<ILoggerFactory>()));

        services.AddHealthChecks();
        services.AddRazorComponents().AddInteractiveServerComponents();
    }

    public static void MapEndpoints(WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapHealthChecks("/healthz");
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }
}
