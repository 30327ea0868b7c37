using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Components.Live;
using PersonaLive.Web.Hosting;
using PersonaLive.Web.Live.Diagnostics;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Portraits;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.WebRtc.PeerConnection;

namespace PersonaLive.Web.Tests.Fakes;

/// <summary>Registers the live services for bUnit with fakes for the engine and the media stack, and scripts live.js.</summary>
internal sealed class LiveTestServices
{
    public FakeEngineFactory Engine { get; } = new("lite", new EngineStatus(EngineState.Ready, "Ready"));
    public FakeMediaPeerFactory Peers { get; } = new();
    public LimitsOptions Limits { get; } = new() { MaxSessions = 2, MaxUploadBytes = 200_000, MaxUploadPixels = 1_000_000, MaxViewersPerSession = 3 };
    public AdmissionController Admission { get; private set; } = default!;
    public ShareLinkRegistry Links { get; } = new(TimeProvider.System);
    public LiveSessionManager Sessions { get; private set; } = default!;
    public BunitJSModuleInterop Module { get; private set; } = default!;
    public BunitJSModuleInterop Client { get; private set; } = default!;
    public JSRuntimeInvocationHandler<ClientStartResult> StartStudio { get; private set; } = default!;

    public void Register(BunitContext ctx, IMediaPeerFactory? peers = null, BrowserCapabilities? caps = null)
    {
        Admission = new AdmissionController(Limits.MaxSessions);
        var services = ctx.Services;
        services.AddMetrics();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton<IAnimationEngineFactory>(Engine);
        services.AddSingleton(Options.Create(Limits));
        services.AddSingleton(Options.Create(new RtcOptions()));
        services.AddSingleton(Links);
        services.AddSingleton<PersonaLive.Web.Live.Signalling.IngestTokens>();
        services.AddSingleton<PresetPortraits>();
        services.AddSingleton<PortraitDecodeGate>();
        services.AddSingleton(TimeProvider.System);
        services.AddScoped<PersonaLive.Web.Live.Sessions.CircuitPresence>();
        services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(Microsoft.Extensions.Logging.Logger<>));
        services.AddSingleton(sp => new LiveMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        var peerFactory = peers ?? Peers;
        services.AddSingleton(sp => Sessions = new LiveSessionManager(Engine, peerFactory, Admission, Links,
            sp.GetRequiredService<LiveMetrics>(), Options.Create(Limits), TimeProvider.System, NullLoggerFactory.Instance));
        services.AddSingleton<PersonaLive.Web.Live.GoLive.GoLiveService>();

        ctx.Renderer.SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
        ctx.JSInterop.Mode = JSRuntimeMode.Loose;
        Module = ctx.JSInterop.SetupModule("./js/live.js");
        Module.Setup<BrowserCapabilities>("capabilities").SetResult(caps ?? new BrowserCapabilities(true, true, true, true, true, true));
        Module.Setup<List<CameraInfo>>("listCameras").SetResult([new CameraInfo("cam-1", "Front camera"), new CameraInfo("cam-2", "USB camera")]);
        Client = Module.SetupModule("createClient", _ => true);
        StartStudio = Client.Setup<ClientStartResult>("startStudio", _ => true);
        StartStudio.SetResult(new ClientStartResult(true, "v=0 browser-offer", null, null));
        Client.Setup<ClientStartResult>("startViewer", _ => true).SetResult(new ClientStartResult(true, "v=0 viewer-offer", null, null));
        Client.SetupVoid("acceptAnswer", _ => true).SetVoidResult();
        Client.SetupVoid("stop", _ => true).SetVoidResult();
    }

    /// <summary>A small valid PNG (solid colour) of the given size.</summary>
    public static byte[] Png(int width, int height)
    {
        using var bitmap = new SkiaSharp.SKBitmap(width, height);
        bitmap.Erase(new SkiaSharp.SKColor(200, 160, 140));
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
