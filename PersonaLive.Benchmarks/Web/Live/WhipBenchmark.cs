using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Hosting;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Portraits;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.Web.Live.Signalling;
using PersonaLive.Media;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// <c>./persona.sh bench whip</c>: how soon standard signalling gets pictures moving. The app runs with its
/// configured engine and real HTTP (Kestrel on loopback) and media stack; a publisher built from our WebRTC
/// stack (offering sendonly VP8, a 640x480 moving face at 30 fps) POSTs to <c>/whip</c> with a token, and a
/// player (recvonly) POSTs to the session's share link at <c>/whep/{token}</c>. Five rounds, medians:
/// <c>ingest_first_frame_ms</c> from the WHIP POST until the session sent its first animated frame (signalling,
/// ICE, DTLS, first camera keyframe, engine), <c>whep_first_frame_ms</c> from the WHEP POST until the player
/// decoded its first frame (signalling, ICE, DTLS, keyframe). Targets: 1500 ms each.
/// </summary>
public static class WhipBenchmark
{
    private const int Rounds = 5;

    public static async Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(TextWriter log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(log);
        await using var app = WebHostSetup.Build(["--urls", "http://127.0.0.1:0", "--Rtc:MediaPort=0", "--Rtc:BindAddress=127.0.0.1", "--Live:WarmUpOnStart=false"]);
        await app.StartAsync(ct).ConfigureAwait(false);
        var services = app.Services;
        if (services.GetRequiredService<IMediaPeerFactory>() is { IsAvailable: false } media) throw new InvalidOperationException(media.UnavailableReason);
        var engine = services.GetRequiredService<IAnimationEngineFactory>();
        log.WriteLine($"whip: warming up engine '{engine.Name}'…");
        await engine.WarmUpAsync(null, ct).ConfigureAwait(false);
        var preset = services.GetRequiredService<PresetPortraits>().Find("ada")!;
        var portrait = await engine.PreparePortraitAsync(preset.Png, ct).ConfigureAwait(false);
        if (!portrait.Succeeded) throw new InvalidOperationException(portrait.Error);
        var camera = SyntheticLiveClient.CameraLoop(preset.Png, 640, 480, 30);
        var baseUri = new Uri(services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var sessions = services.GetRequiredService<LiveSessionManager>();
        var token = services.GetRequiredService<IngestTokens>().Create(portrait.Portrait!);
        using var http = new HttpClient { BaseAddress = baseUri };
        var ingest = new List<double>();
        var whep = new List<double>();
        try
        {
            for (var round = 1; round <= Rounds; round++)
            {
                var (i, w) = await RoundAsync(http, sessions, token.Value, camera, ct).ConfigureAwait(false);
                log.WriteLine($"whip: round {round}: ingest first frame {i:0} ms, whep first frame {w:0} ms");
                ingest.Add(i);
                whep.Add(w);
            }
        }
        finally
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return [new("ingest_first_frame_ms", Math.Round(Median(ingest))), new("whep_first_frame_ms", Math.Round(Median(whep)))];
    }

    private static async Task<(double IngestMs, double WhepMs)> RoundAsync(HttpClient http, LiveSessionManager sessions, string token,
        IReadOnlyList<I420Frame> camera, CancellationToken ct)
    {
        await using var publisherMedia = new RtcMediaServer(new RtcOptions { MediaPort = 0, BindAddress = "127.0.0.1" }, NullLoggerFactory.Instance);
        await using var publisher = publisherMedia.CreatePeerConnection();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var clock = Stopwatch.StartNew();
        var (answer, location) = await PostAsync(http, "/whip", publisher.CreateOffer("sendonly"), token, ct).ConfigureAwait(false);
        publisher.SetAnswer(answer);
        var sender = Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                publisher.SendFrame(camera[n % camera.Count], NtpTime.Now());
                try { await Task.Delay(33, stop.Token).ConfigureAwait(false); } catch (OperationCanceledException) { }
            }
        }, CancellationToken.None);
        try
        {
            var sessionId = sessions.FindAllIds().Single();
            var session = sessions.Find(sessionId)!;
            while (session.GetStats().FramesSent == 0)
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException("The WHIP session sent no animated frame within 30 s.");
                await Task.Delay(2, ct).ConfigureAwait(false);
            }
            var ingestMs = clock.Elapsed.TotalMilliseconds;

            var share = sessions.Share(sessionId);
            await using var playerMedia = new RtcMediaServer(new RtcOptions { MediaPort = 0, BindAddress = "127.0.0.1" }, NullLoggerFactory.Instance);
            await using var player = playerMedia.CreatePeerConnection();
            var firstFrame = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            player.FrameDecoded += (_, _) => firstFrame.TrySetResult();
            clock.Restart();
            var (viewerAnswer, _) = await PostAsync(http, WhepEndpoints.EndpointFor(share.Token), player.CreateOffer("recvonly"), null, ct).ConfigureAwait(false);
            player.SetAnswer(viewerAnswer);
            await firstFrame.Task.WaitAsync(TimeSpan.FromSeconds(30), ct).ConfigureAwait(false);
            var whepMs = clock.Elapsed.TotalMilliseconds;
            using var delete = await http.DeleteAsync(location, ct).ConfigureAwait(false);
            return (ingestMs, whepMs);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await sender.ConfigureAwait(false);
        }
    }

    private static async Task<(string Answer, Uri Location)> PostAsync(HttpClient http, string path, string offer, string? token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new StringContent(offer) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(SignallingHttp.SdpType);
        if (token is not null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if ((int)response.StatusCode != 201) throw new InvalidOperationException($"POST {path} answered {(int)response.StatusCode}: {body.Trim()}");
        return (body, response.Headers.Location!);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
