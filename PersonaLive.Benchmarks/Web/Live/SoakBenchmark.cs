using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Hosting;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Media.Rtc;
using PersonaLive.Web.Live.Portraits;
using PersonaLive.Web.Live.Sessions;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// <c>./persona.sh bench soak [--seconds N]</c> (default 600): one live session of the configured engine
/// (lite by default) held for N seconds by a synthetic client (<see cref="SyntheticLiveClient"/>) sending
/// a 320x240 moving face at 25 fps, with a garbage flood at the port in the middle fifth of the run
/// (datagrams of no RFC 7983 class, and fake RTP and STUN from an address nobody authenticated, about
/// 5,000 a second). After a warm-up (a tenth of the run, at least 5 s) it records the process's
/// resident memory (after a full GC, as at the end) and thread count as the baseline and then watches
/// the animated frames arriving; every 10 s it logs where memory is (<see cref="MemoryProbe"/>).
/// Keys: <c>rss_growth_pct</c> (end against baseline), <c>threads_growth</c>, <c>fps_min</c> (the slowest
/// 1-second window after warm-up), <c>freezes</c> (gaps of more than 500 ms without a frame), and
/// <c>flood_dropped</c> (what the port counted dropped of the flood).
/// </summary>
public static class SoakBenchmark
{
    private const int CameraFps = 25;
    private static readonly TimeSpan FreezeGap = TimeSpan.FromMilliseconds(500);

    public static async Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(int? seconds, TextWriter log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(log);
        var total = TimeSpan.FromSeconds(Math.Max(20, seconds ?? 600));
        var warmUp = TimeSpan.FromSeconds(Math.Max(5, total.TotalSeconds / 10));
        await using var app = WebHostSetup.Build(["--urls", "http://127.0.0.1:0", "--Rtc:MediaPort=0", "--Live:WarmUpOnStart=false"]);
        var services = app.Services;
        if (services.GetRequiredService<IMediaPeerFactory>() is not RtcMediaPeerFactory { Server: { } server } media)
            throw new InvalidOperationException(services.GetRequiredService<IMediaPeerFactory>().UnavailableReason ?? "The WebRTC stack is unavailable.");
        var engine = services.GetRequiredService<IAnimationEngineFactory>();
        log.WriteLine($"soak: warming up engine '{engine.Name}'…");
        await engine.WarmUpAsync(null, ct).ConfigureAwait(false);
        var preset = services.GetRequiredService<PresetPortraits>().Find("ada")!;
        var portrait = await engine.PreparePortraitAsync(preset.Png, ct).ConfigureAwait(false);
        if (!portrait.Succeeded) throw new InvalidOperationException(portrait.Error);
        var camera = EncodedCameraLoop.Encode(SyntheticLiveClient.CameraLoop(preset.Png, 320, 240, 50), CameraFps);
        var sessions = services.GetRequiredService<LiveSessionManager>();
        await using var client = await SyntheticLiveClient.ConnectAsync(sessions, portrait.Portrait!, ct, decodeOutput: false).ConfigureAwait(false);
        log.WriteLine($"soak: session {client.SessionId} live for {total.TotalSeconds:0} s (warm-up {warmUp.TotalSeconds:0} s, flood in the middle fifth)");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sender = Task.Run(() => SendLoopAsync(client, camera, stop.Token), CancellationToken.None);
        var clock = Stopwatch.StartNew();
        var floodFrom = total * 0.4;
        var floodUntil = total * 0.6;
        Task? flood = null;
        long droppedBefore = 0;
        double? baselineRss = null;
        int baselineThreads = 0;
        double fpsMin = double.MaxValue;
        int freezes = 0;
        long lastFrames = client.FramesReceived, windowFrames = lastFrames;
        var lastFrameAt = clock.Elapsed;
        var windowStart = clock.Elapsed;
        var lastProbe = TimeSpan.Zero;
        try
        {
            while (clock.Elapsed < total)
            {
                await Task.Delay(20, ct).ConfigureAwait(false);
                var now = clock.Elapsed;
                var frames = client.FramesReceived;
                if (frames != lastFrames)
                {
                    if (baselineRss is not null && now - lastFrameAt > FreezeGap)
                    {
                        freezes++;
                        log.WriteLine($"soak: freeze of {(now - lastFrameAt).TotalMilliseconds:0} ms at {now.TotalSeconds:0.0} s");
                    }
                    lastFrames = frames;
                    lastFrameAt = now;
                }
                if (baselineRss is null && now >= warmUp)
                {
                    GC.Collect(); // the same procedure as at the end
                    GC.WaitForPendingFinalizers();
                    (baselineRss, baselineThreads) = (RssMb(), Process.GetCurrentProcess().Threads.Count);
                    (windowStart, windowFrames) = (now, frames);
                    log.WriteLine($"soak: baseline rss {baselineRss:0} MB, {baselineThreads} threads: {MemoryProbe.ThreadNames()}");
                }
                if (baselineRss is not null && now - windowStart >= TimeSpan.FromSeconds(1))
                {
                    fpsMin = Math.Min(fpsMin, (frames - windowFrames) / (now - windowStart).TotalSeconds);
                    (windowStart, windowFrames) = (now, frames);
                }
                if (now - lastProbe >= TimeSpan.FromSeconds(10))
                {
                    lastProbe = now;
                    log.WriteLine($"soak: {now.TotalSeconds:0} s {MemoryProbe.Describe()}");
                }
                if (flood is null && now >= floodFrom)
                {
                    droppedBefore = Dropped(server.GetTotals());
                    log.WriteLine($"soak: flooding the media port for {(floodUntil - floodFrom).TotalSeconds:0} s");
                    flood = Task.Run(() => FloodAsync(server.LocalEndPoint, floodUntil - floodFrom, stop.Token), CancellationToken.None);
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try { await sender.ConfigureAwait(false); } catch (OperationCanceledException) { }
            if (flood is not null) try { await flood.ConfigureAwait(false); } catch (OperationCanceledException) { }
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var rss = RssMb();
        var threads = Process.GetCurrentProcess().Threads.Count;
        var flooded = Dropped(server.GetTotals()) - droppedBefore;
        var alive = sessions.Find(client.SessionId) is not null;
        log.WriteLine($"soak: end threads: {MemoryProbe.ThreadNames()}");
        log.WriteLine($"soak: end rss {rss:0} MB, {threads} threads, session {(alive ? "still live" : "ENDED")}, flood dropped {flooded}, socket handler errors {server.SocketHandlerErrors}");
        if (!alive) throw new InvalidOperationException("The session ended during the soak.");
        return
        [
            new("rss_growth_pct", Math.Round((rss - baselineRss!.Value) / baselineRss.Value * 100, 1)),
            new("threads_growth", threads - baselineThreads),
            new("fps_min", Math.Round(fpsMin == double.MaxValue ? 0 : fpsMin, 1)),
            new("freezes", freezes),
            new("flood_dropped", flooded),
        ];
    }

    private static long Dropped(PersonaLive.WebRtc.PeerConnection.MediaPortTotals t) => t.DroppedMalformed + t.DroppedUnknownSource + t.DroppedUnauthenticated;

    private static double RssMb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
        return 0;
    }

    /// <summary>About 5,000 datagrams a second from a loopback socket no session authenticated.</summary>
    private static async Task FloodAsync(IPEndPoint target, TimeSpan duration, CancellationToken ct)
    {
        if (!IPAddress.IsLoopback(target.Address)) target = new IPEndPoint(IPAddress.Loopback, target.Port);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var random = new Random(7);
        var junk = new byte[200];
        var clock = Stopwatch.StartNew();
        for (long i = 0; clock.Elapsed < duration && !ct.IsCancellationRequested; i++)
        {
            random.NextBytes(junk);
            junk[0] = (i % 3) switch { 0 => 0x55, 1 => 0x80, _ => 0x00 }; // no class; RTP; STUN-looking
            if (junk[0] == 0x80) junk[1] = 96;
            await socket.SendToAsync(junk.AsMemory(0, 20 + (int)(i % 180)), target, ct).ConfigureAwait(false);
            if (i % 50 == 49) await Task.Delay(10, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Sends the next pre-encoded camera frame every 1/25 s.</summary>
    private static async Task SendLoopAsync(SyntheticLiveClient client, EncodedCameraLoop camera, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        for (long i = 0; !ct.IsCancellationRequested; i++)
        {
            client.Send(camera);
            var wait = TimeSpan.FromSeconds((i + 1) / (double)CameraFps) - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, ct).ConfigureAwait(false);
        }
    }
}
