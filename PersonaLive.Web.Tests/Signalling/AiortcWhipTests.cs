using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using PersonaLive.TestSupport;
using PersonaLive.Testing.Hosting;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.Web.Live.Signalling;
using PersonaLive.Web.Tests.Fakes;

namespace PersonaLive.Web.Tests.Signalling;

/// <summary>What the aiortc publisher script printed.</summary>
internal sealed record AiortcRun(int? Post, bool Connected, int FramesSent, int? Delete, string? Error);

/// <summary>
/// aiortc (Debian python3-aiortc, a WebRTC stack nobody here wrote) publishes VP8 over WHIP to the real app
/// (Kestrel on loopback, real media stack, echo engine): the offer is answered, ICE and DTLS connect, its
/// frames are decoded by the session, the animated output reaches a WHEP viewer, and its DELETE frees everything.
/// </summary>
public sealed class AiortcWhipTests
{
    private const string Python = "/usr/bin/python3";

    [Fact]
    public async Task Aiortc_publishes_vp8_over_whip_and_frames_flow()
    {
        var ct = TestContext.Current.CancellationToken;
        if (!File.Exists(Python) || !Directory.Exists("/usr/lib/python3/dist-packages/aiortc"))
            Prerequisite.Missing("aiortc is not installed (apt-get install python3-aiortc).");
        await using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Live:WarmUpOnStart", "false");
            b.UseSetting("Live:EchoEngineDelayMs", "0");
            b.UseSetting("Rtc:MediaPort", "0");
            b.UseSetting("Rtc:BindAddress", "127.0.0.1");
            b.UseSetting("urls", "http://127.0.0.1:0");
            b.ConfigureTestServices(s => s.AddTestEngines());
        });
        app.UseKestrel();
        app.StartServer();
        var (portrait, _) = await RealStackApp.AdaPortraitAsync(app, ct);
        var baseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var sessions = app.Services.GetRequiredService<LiveSessionManager>();
        var tokens = app.Services.GetRequiredService<IngestTokens>();
        var token = tokens.Create(portrait);
        long framesIn = 0, viewerFrames = 0;
        Task watching = Task.CompletedTask;
        tokens.SessionStarted += (t, id) => watching = WatchAsync(id);

        // While aiortc publishes: count the session's decoded camera frames and watch its output over WHEP.
        async Task WatchAsync(string sessionId)
        {
            var share = sessions.Share(sessionId);
            await using var viewer = new SignallingTestPeer();
            using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
            using var content = new StringContent(viewer.Peer.CreateOffer("recvonly"));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/sdp");
            using var response = await http.PostAsync(WhepEndpoints.EndpointFor(share.Token), content, ct);
            viewer.Peer.SetAnswer(await response.Content.ReadAsStringAsync(ct));
            while (sessions.Find(sessionId) is { } session)
            {
                framesIn = session.GetTransportStats().FramesDecoded;
                viewerFrames = viewer.FramesDecoded;
                await Task.Delay(100, ct);
            }
        }

        var script = Path.Combine(AppContext.BaseDirectory, "Signalling", "Aiortc", "whip_publish.py");
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { script, baseUrl + WhipEndpoints.Path, token.Value, "3" }) psi.ArgumentList.Add(a);
        using var python = Process.Start(psi)!;
        var stdout = python.StandardOutput.ReadToEndAsync(ct);
        var stderr = python.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try { await python.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException) { python.Kill(entireProcessTree: true); throw; }
        var line = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
        Assert.True(line is not null, $"aiortc printed no result (exit {python.ExitCode}): {await stderr}");
        var run = JsonSerializer.Deserialize<AiortcRun>(line, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

        Assert.True(run.Error is null, $"aiortc: {run.Error}\n{await stderr}");
        Assert.Equal(201, run.Post);
        Assert.True(run.Connected);
        Assert.True(run.FramesSent >= 60, $"aiortc sent {run.FramesSent} frames in 3 s");
        Assert.True(framesIn >= 30, $"the session decoded {framesIn} of aiortc's {run.FramesSent} frames");
        Assert.True(viewerFrames >= 20, $"the WHEP viewer decoded {viewerFrames} animated frames");
        Assert.Equal(200, run.Delete);
        await watching.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(0, sessions.ActiveCount);
        Assert.Equal(0, sessions.Admission.Active);
    }
}
