using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using PersonaLive.Inference.Engines;
using PersonaLive.Testing.Hosting;
using PersonaLive.Web.Hosting;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Portraits;
using PersonaLive.Web.Live.Sessions;

namespace PersonaLive.TestSupport;

/// <summary>
/// Our real host on the server side of a <see cref="NetworkLab"/>: the app's services and endpoints with
/// the echo test engine (each camera frame back at 256x256, no model: what is measured is the transport),
/// its HTTP on this process's 127.0.0.1 and its WebRTC media socket created inside the lab's server
/// namespace on the lab address, so every media packet crosses the shaped link. Clients offer through
/// <see cref="AnswerAsync"/> (the synthetic client) or the page (Chromium through a loopback forward).
/// </summary>
internal sealed class LabHost : IAsyncDisposable
{
    private LabHost(WebApplication app, PreparedPortrait portrait, int port)
    {
        App = app;
        Portrait = portrait;
        Port = port;
        Sessions = app.Services.GetRequiredService<LiveSessionManager>();
    }

    public WebApplication App { get; }

    public LiveSessionManager Sessions { get; }

    /// <summary>The preset portrait, prepared by the echo engine.</summary>
    public PreparedPortrait Portrait { get; }

    /// <summary>The HTTP port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>Starts the host for <paramref name="lab"/> with extra command-line settings.</summary>
    public static Task<LabHost> StartAsync(NetworkLab lab, CancellationToken ct, params string[] extraArgs)
    {
        ArgumentNullException.ThrowIfNull(lab);
        return StartAsync(lab.ServerNamespace, lab.ServerAddress, ct, extraArgs);
    }

    /// <summary>
    /// Starts the host with its media socket on <paramref name="mediaAddress"/>, created inside namespace
    /// <paramref name="ns"/> when given (null: this process's own, e.g. 127.0.0.1 for the sessions benchmark).
    /// </summary>
    public static async Task<LabHost> StartAsync(string? ns, IPAddress mediaAddress, CancellationToken ct, params string[] extraArgs)
    {
        ArgumentNullException.ThrowIfNull(mediaAddress);
        int port = FreeTcpPort();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args =
            [
                "--urls", $"http://127.0.0.1:{port}", "--Rtc:BindAddress", mediaAddress.ToString(), "--Rtc:MediaPort", "0",
                "--Live:EchoEngineDelayMs", "0", "--Live:WarmUpOnStart", "false", .. extraArgs,
            ],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseStaticWebAssets();
        WebHostSetup.AddServices(builder.Services, builder.Configuration);
        builder.Services.AddTestEngines();
        var app = builder.Build();
        WebHostSetup.MapEndpoints(app);
        try
        {
            // The media socket is bound when the factory is first resolved: do it inside the server namespace.
            var media = ns is null ? app.Services.GetRequiredService<IMediaPeerFactory>()
                : NetnsThread.Run(ns, () => app.Services.GetRequiredService<IMediaPeerFactory>());
            if (!media.IsAvailable) throw new InvalidOperationException(media.UnavailableReason);
            await app.StartAsync(ct).ConfigureAwait(false);
            var engine = app.Services.GetRequiredService<IAnimationEngineFactory>();
            await engine.WarmUpAsync(null, ct).ConfigureAwait(false);
            var preset = app.Services.GetRequiredService<PresetPortraits>().Find("ada")!;
            var prepared = await engine.PreparePortraitAsync(preset.Png, ct).ConfigureAwait(false);
            if (!prepared.Succeeded) throw new InvalidOperationException(prepared.Error);
            return new LabHost(app, prepared.Portrait!, port);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The preset face's PNG (for camera loops).</summary>
    public byte[] FacePng => App.Services.GetRequiredService<PresetPortraits>().Find("ada")!.Png;

    /// <summary>Starts a session the way the Studio does and answers <paramref name="offer"/> (the synthetic client's signalling).</summary>
    public Task<(string SessionId, string Answer)> AnswerAsync(string offer, CancellationToken ct)
    {
        var ticket = Sessions.Admission.TryEnter() ?? throw new InvalidOperationException("The server is full.");
        var (session, answer) = Sessions.Start(ticket, Portrait, offer);
        return Task.FromResult((session.Id, answer));
    }

    private static int FreeTcpPort()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
    }
}
