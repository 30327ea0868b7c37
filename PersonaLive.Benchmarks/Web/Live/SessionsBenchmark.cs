using System.Diagnostics;
using PersonaLive.Inference.Engines;
using PersonaLive.TestSupport;
using PersonaLive.Web.Hosting;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Portraits;
using PersonaLive.Web.Live.Sessions;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// <c>./persona.sh bench sessions [--seconds N]</c>: how many concurrent live sessions this machine holds
/// with every one of them at 25 fps or more. The app's services (configured engine, real WebRTC stack
/// on a free UDP port) serve N synthetic clients (<see cref="SyntheticLiveClient"/>, our WebRTC stack in
/// the browser's role, in this process) that each send a 640x480 moving face at 30 fps and count the
/// animated frames they receive complete. N grows by one until the slowest session falls below 25 fps over
/// an N-second window (default 8) and again over a second window at the same N (one failing window alone
/// may be another process's burst of work on the shared cores; <see cref="RampWindow"/>); the same rule for
/// all three ramps.
/// <para>The clients are made nearly free so the cores go to the server: the camera loop is VP8-encoded
/// once before the run (<see cref="EncodedCameraLoop"/>, keyframe every 30 frames) and every client sends
/// those bytes (packetize + SRTP only), and the clients count complete, reassembled output frames without
/// decoding them (<c>Rtc:DecodeIncomingVideo</c> off; same NACK/PLI handling). What a client still costs
/// is its RTP/SRTP/DTLS/ICE work in both directions and its socket loop. A PLI from the server is
/// answered by the loop's next keyframe (at most 1 s later) rather than at once. Nor can a client lower its
/// bitrate when the server's feedback asks it to (a browser re-encodes smaller and keeps its frame rate), so
/// the clients do not pace their sends (<c>pacedSend: false</c>): paced to a target below the loop's rate,
/// a client's queue would be dropped and its session wait for a keyframe, which on a loaded host (CPU
/// jitter reads as queueing delay to both servers' estimators) ended the ramps of both servers at a few
/// sessions whatever their spare CPU. The cpu figure is the whole process, clients included. The server's own fps out per session is logged beside the clients'.</para>
/// Keys: max_at_25fps, then the slowest session's fps at that N and at the first N that failed, then
/// aiortc_max_at_25fps: the same clients and criterion, in the same run, against the aiortc echo peer,
/// which decodes and re-encodes VP8 at 256x256 (the echo engine's output size; -1 when aiortc is missing),
/// and echo_max_at_25fps: our host with the echo test engine, the like-for-like figure beside aiortc's.
/// </summary>
public static class SessionsBenchmark
{
    private const int CameraFps = 30;
    private const double TargetFps = 25;
    private const int MaxSessions = 48;

    public static async Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(int? seconds, TextWriter log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(log);
        var window = TimeSpan.FromSeconds(Math.Max(3, seconds ?? 8));
        await using var app = WebHostSetup.Build(["--urls", "http://127.0.0.1:0", "--Rtc:MediaPort=0", $"--Limits:MaxSessions={MaxSessions}", "--Limits:MaxViewersPerSession=0", "--Live:WarmUpOnStart=false"]);
        var services = app.Services;
        if (services.GetRequiredService<IMediaPeerFactory>() is { IsAvailable: false } media)
            throw new InvalidOperationException(media.UnavailableReason);
        var engine = services.GetRequiredService<IAnimationEngineFactory>();
        log.WriteLine($"sessions: warming up engine '{engine.Name}'…");
        await engine.WarmUpAsync(null, ct).ConfigureAwait(false);
        var preset = services.GetRequiredService<PresetPortraits>().Find("ada")!;
        var portrait = await engine.PreparePortraitAsync(preset.Png, ct).ConfigureAwait(false);
        if (!portrait.Succeeded) throw new InvalidOperationException(portrait.Error);
        var camera = EncodedCameraLoop.Encode(SyntheticLiveClient.CameraLoop(preset.Png, 640, 480, 60), CameraFps);
        log.WriteLine($"sessions: camera loop encoded once: {camera.Count} frames, {camera.Keyframes} keyframes, mean {camera.MeanBytes / 1024:0.0} KiB");
        var sessions = services.GetRequiredService<LiveSessionManager>();

        var ours = await RampAsync("sessions", c => SyntheticLiveClient.ConnectAsync(sessions, portrait.Portrait!, c, decodeOutput: false, pacedSend: false),
            new ServerView(sessions), null, camera, window, log, ct).ConfigureAwait(false);
        int aiortcMax = await AiortcAsync(camera, window, log, ct).ConfigureAwait(false);
        int echoMax = await EchoAsync(camera, window, log, ct).ConfigureAwait(false);
        return
        [
            new("max_at_25fps", ours.Best),
            new("min_fps_at_max", Math.Round(ours.BestFps, 1)),
            new("min_fps_at_max_plus_1", Math.Round(ours.FailedFps, 1)),
            new("aiortc_max_at_25fps", aiortcMax),
            new("echo_max_at_25fps", echoMax),
        ];
    }

    /// <summary>
    /// Our host again, with the echo test engine instead of the configured one (each camera frame back at
    /// 256x256, no model): the like-for-like figure beside aiortc's, which does the same work.
    /// </summary>
    private static async Task<int> EchoAsync(EncodedCameraLoop camera, TimeSpan window, TextWriter log, CancellationToken ct)
    {
        await using var host = await LabHost.StartAsync(null, System.Net.IPAddress.Loopback, ct,
            $"--Limits:MaxSessions={MaxSessions}", "--Limits:MaxViewersPerSession=0").ConfigureAwait(false);
        var result = await RampAsync("sessions echo", c => SyntheticLiveClient.ConnectAsync(host.Sessions, host.Portrait, c, decodeOutput: false, pacedSend: false),
            new ServerView(host.Sessions), null, camera, window, log, ct).ConfigureAwait(false);
        return result.Best;
    }

    /// <summary>
    /// The same clients and criterion against the aiortc echo peer (decode, scale to our echo engine's
    /// 256x256, VP8 encode again; Debian python3-aiortc) in a test network namespace joined to this host
    /// by a veth pair (aiortc offers no loopback candidates). Its process's CPU is logged beside ours. -1 when aiortc is missing.
    /// </summary>
    private static async Task<int> AiortcAsync(EncodedCameraLoop camera, TimeSpan window, TextWriter log, CancellationToken ct)
    {
        if (AiortcEchoPeer.Missing is { } missing)
        {
            log.WriteLine($"sessions: aiortc skipped: {missing}");
            return -1;
        }

        using var network = TestNetwork.TryCreate(out var problem) ?? throw new InvalidOperationException($"No test network for aiortc: {problem}");
        await using var aiortc = AiortcEchoPeer.Start(network.Namespace, network.NamespaceAddress);
        var result = await RampAsync("sessions aiortc", c => aiortc.ConnectClientAsync(network.HostAddress.ToString(), null, decodeOutput: false, c, pacedSend: false),
            null, aiortc.Process, camera, window, log, ct).ConfigureAwait(false);
        return result.Best;
    }

    /// <summary>
    /// Adds one client at a time (each connected by <paramref name="connect"/>) until the slowest falls below
    /// 25 fps; returns the largest N that held, its slowest fps and the failing N's (its second window). A step holds when one
    /// window has every session at 25 fps or more; when a window fails, one more window is measured at the
    /// same N and the step holds only if that second window holds (<see cref="RampWindow"/> says why). The
    /// rule is the same for every ramp, ours, aiortc's and the echo engine's, so their ratio stays fair.
    /// </summary>
    private static async Task<(int Best, double BestFps, double FailedFps)> RampAsync(string label,
        Func<CancellationToken, Task<SyntheticLiveClient>> connect, ServerView? ourServer,
        Process? server, EncodedCameraLoop camera, TimeSpan window, TextWriter log, CancellationToken ct)
    {
        var clients = new List<SyntheticLiveClient>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sender = Task.Run(() => SendLoopAsync(clients, camera, stop.Token), CancellationToken.None);
        try
        {
            int best = 0;
            double bestFps = 0, failedFps = 0;
            for (var n = 1; n <= MaxSessions; n++)
            {
                var client = await connect(ct).ConfigureAwait(false);
                lock (clients) clients.Add(client);
                await Task.Delay(TimeSpan.FromSeconds(2), ct).ConfigureAwait(false); // first keyframes, warm-up
                var slowest = await RampWindow.MeasureAsync(label, n, clients, ourServer, server, window, log, ct).ConfigureAwait(false);
                if (slowest < TargetFps)
                {
                    log.WriteLine($"{label}: N={n} under {TargetFps} fps; measuring one more window at the same N");
                    var again = await RampWindow.MeasureAsync(label, n, clients, ourServer, server, window, log, ct).ConfigureAwait(false);
                    if (again < TargetFps)
                    {
                        failedFps = again; // the window that decided
                        break;
                    }
                    slowest = again;
                }
                best = n;
                bestFps = slowest;
            }
            return (best, bestFps, failedFps);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try { await sender.ConfigureAwait(false); } catch (OperationCanceledException) { }
            foreach (var c in clients) await c.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Every client sends its next pre-encoded camera frame every 1/30 s (a webcam's pace), on one thread.</summary>
    internal static async Task SendLoopAsync(List<SyntheticLiveClient> clients, EncodedCameraLoop camera, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        for (long i = 0; !ct.IsCancellationRequested; i++)
        {
            SyntheticLiveClient[] now;
            lock (clients) now = clients.ToArray();
            foreach (var c in now) c.Send(camera);
            var wait = TimeSpan.FromSeconds((i + 1) / (double)CameraFps) - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, ct).ConfigureAwait(false);
        }
    }
}
