using System.Globalization;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Live.Benchmarks;
using PersonaLive.Web.Live.Diagnostics;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Portraits;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.Web.Tests.Fakes;
using PersonaLive.WebRtc.PeerConnection;

namespace PersonaLive.Web.Tests.Hosting;

/// <summary>
/// <c>/metrics</c> while a real session streams: the app (real WebRTC stack on a free UDP port, echo
/// engine slower than the camera so the FrameGate has to drop) is driven by the synthetic WebRTC client
/// the resilience tests and the sessions benchmark use. That client measures glass-to-glass the way
/// the page does (capture time of the driving frame, looked up by the output frame's RTP timestamp,
/// against the time it is decoded) and reports it through the same call. The scrape must show one
/// active session, fps in/out, bitrate, dropped frames and the latency histogram, all non-zero.
/// </summary>
[Collection(nameof(PrometheusLiveMetricsTests))]
public sealed class PrometheusLiveMetricsTests : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _factory;

    public ValueTask InitializeAsync()
    {
        _factory = RealStackApp.Start(("Live:EchoEngineDelayMs", "60")); // ~16 chunks/s against a 25 fps camera: drops
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
    }

    [Fact]
    public async Task Metrics_endpoint_exports_a_running_sessions_numbers()
    {
        var ct = TestContext.Current.CancellationToken;
        var services = _factory!.Services;
        var sessions = services.GetRequiredService<LiveSessionManager>();
        var (portrait, png) = await RealStackApp.AdaPortraitAsync(_factory, ct);
        var camera = SyntheticLiveClient.CameraLoop(png, 160, 120, 10);

        await using var client = await SyntheticLiveClient.ConnectAsync(sessions, portrait, ct);
        var session = sessions.Find(client.SessionId)!;
        var measured = 0;
        client.Peer.FrameDecoded += (_, frame) =>
        {
            if (session.Latency.CaptureTimeOf(frame.RtpTimestamp) is not { } captureUs) return;
            session.ReportGlassToGlass((DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000 - captureUs) / 1000.0);
            Interlocked.Increment(ref measured);
        };
        // 3 s of camera at 25 fps: rate meters fill their window, the engine falls behind, samples arrive.
        for (var i = 0; i < 75; i++)
        {
            client.Send(camera[i % camera.Count]);
            await Task.Delay(40, ct);
        }
        Assert.True(Volatile.Read(ref measured) > 5, $"only {measured} animated frames were measured");

        using var http = _factory.CreateClient();
        // The exporter follows every meter called PersonaLive.Live in the process; the first scrape also
        // reports (and then forgets) those of tests that already finished, so the second one is this app's.
        _ = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);
        var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join('\n', text.Split('\n').Where(l => l.StartsWith("personalive_", StringComparison.Ordinal))));
        var stats = session.GetStats();

        Assert.Equal(1, Value(text, "personalive_sessions_active"));
        Assert.InRange(Value(text, "personalive_fps_in"), 10, 40);           // camera at 25 fps
        Assert.InRange(Value(text, "personalive_fps_out"), 5, 30);           // engine-bound, ~16 fps
        Assert.InRange(Value(text, "personalive_bitrate"), 1, 50_000);       // kbit/s of VP8 at 256x256
        Assert.True(Value(text, "personalive_frames_dropped") > 0, "the slower engine makes the FrameGate drop");
        Assert.Equal(stats.FramesDropped, Value(text, "personalive_frames_dropped"), 10.0); // the overlay and the metric agree (a few frames may land between the two reads)
        var count = Value(text, "personalive_latency_glass_to_glass_milliseconds_count");
        var sum = Value(text, "personalive_latency_glass_to_glass_milliseconds_sum");
        Assert.True(count > 5, $"glass-to-glass histogram count {count}");
        Assert.InRange(sum / count, 1, 1000); // mean latency in ms over loopback with a 60 ms engine
        Assert.Matches("(?m)^personalive_latency_glass_to_glass_milliseconds_bucket\\{[^}]*le=\"1000\"\\} [1-9]", text);
    }

    [Fact]
    public async Task A_garbage_flood_moves_the_media_port_drop_counters_and_the_session_keeps_its_transport_stats()
    {
        var ct = TestContext.Current.CancellationToken;
        var sessions = _factory!.Services.GetRequiredService<LiveSessionManager>();
        var server = ((PersonaLive.Web.Live.Media.Rtc.RtcMediaPeerFactory)_factory.Services.GetRequiredService<IMediaPeerFactory>()).Server!;
        var (portrait, png) = await RealStackApp.AdaPortraitAsync(_factory, ct);
        var camera = SyntheticLiveClient.CameraLoop(png, 160, 120, 10);
        await using var client = await SyntheticLiveClient.ConnectAsync(sessions, portrait, ct);
        for (var i = 0; i < 25; i++)
        {
            client.Send(camera[i % camera.Count]);
            await Task.Delay(40, ct);
        }
        using var http = _factory.CreateClient();
        _ = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);
        var before = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);

        using var stranger = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        using var spoofer = PersonaLive.TestSupport.SpoofedUdpSender.Open(client.LocalEndPoint, server.LocalEndPoint);
        var random = new Random(3);
        for (var i = 0; i < 200; i++)
        {
            var junk = new byte[60];
            random.NextBytes(junk);
            junk[0] = 0x55; // no RFC 7983 class: malformed
            await stranger.SendAsync(junk, server.LocalEndPoint, ct);
            (junk[0], junk[1]) = (0x80, 96); // RTP from an address nobody authenticated
            await stranger.SendAsync(junk, server.LocalEndPoint, ct);
            spoofer.Send([23, 254, 253, 0, 1, 0, 0, 0, 0, 0x10, (byte)i, 0, 2, 0xAB, 0xCD]); // forged short DTLS record from the client's address
            if (i % 10 == 0)
            {
                client.Send(camera[i / 10 % camera.Count]);
                await Task.Delay(20, ct);
            }
        }
        await Task.Delay(300, ct);
        var after = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join('\n', after.Split('\n').Where(l => l.StartsWith("personalive_media_port", StringComparison.Ordinal) || l.StartsWith("personalive_session_", StringComparison.Ordinal))));

        double Dropped(string text, string reason) => Sample(text, "personalive_media_port_dropped", $"reason=\"{reason}\"");
        Assert.True(Dropped(after, "malformed") - Dropped(before, "malformed") >= 200);
        Assert.True(Dropped(after, "unknown_source") - Dropped(before, "unknown_source") >= 200);
        Assert.True(Dropped(after, "unauthenticated") - Dropped(before, "unauthenticated") >= 200);
        Assert.Equal(0, Dropped(after, "handler_error"));
        Assert.Equal(1, Value(after, "personalive_sessions_active")); // the flood ended nothing
        var id = $"session=\"{client.SessionId}\"";
        Assert.True(Sample(after, "personalive_session_packets_received", id) > Sample(before, "personalive_session_packets_received", id));
        Assert.True(Sample(after, "personalive_session_bytes_sent", id) > 0);
        Assert.True(Sample(after, "personalive_media_port_packets_received") > Sample(before, "personalive_media_port_packets_received"));
    }

    [Fact]
    public async Task Another_hosts_live_meters_disposed_meanwhile_leave_this_apps_series_on_the_scrape()
    {
        var ct = TestContext.Current.CancellationToken;
        // What a test process does: other hosts' live meters, one alive before this app started, one made
        // after, both disposed while it runs. Equal instruments of equal meter names would share a stream
        // that ends with the first meter disposed; this app must keep exporting its own.
        using var early = new ServiceCollection().AddMetrics().BuildServiceProvider();
        new LiveMetrics(early.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()).ObserveTransport(() => null, () => []);
        var sessions = _factory!.Services.GetRequiredService<LiveSessionManager>();
        var (portrait, _) = await RealStackApp.AdaPortraitAsync(_factory, ct);
        await using var client = await SyntheticLiveClient.ConnectAsync(sessions, portrait, ct);
        using var late = new ServiceCollection().AddMetrics().BuildServiceProvider();
        new LiveMetrics(late.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()).ObserveTransport(() => null, () => []);
        using var http = _factory.CreateClient();
        _ = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);
        early.Dispose();
        late.Dispose();
        for (var scrape = 0; scrape < 3; scrape++)
        {
            await Task.Delay(400, ct); // past the exporter's response cache
            var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), ct);
            Assert.Equal(1, Value(text, "personalive_sessions_active"));
            Assert.True(Sample(text, "personalive_media_port_dropped", "reason=\"malformed\"") >= 0);
            Assert.True(Sample(text, "personalive_session_packets_received", $"session=\"{client.SessionId}\"") >= 0);
        }
    }

    /// <summary>The value of the first sample whose name starts with <paramref name="name"/> and whose labels contain <paramref name="label"/>.</summary>
    private static double Sample(string exposition, string name, string label = "")
    {
        foreach (var line in exposition.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || !line.Contains(label, StringComparison.Ordinal)) continue;
            var rest = line[name.Length..];
            if (rest.Length > 0 && rest[0] is not ('{' or ' ' or '_')) continue;
            var end = line.Contains('}', StringComparison.Ordinal) ? line.IndexOf('}', StringComparison.Ordinal) + 1 : line.IndexOf(' ', StringComparison.Ordinal);
            return double.Parse(line[end..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        Assert.Fail($"no sample {name}{{{label}}} in the scrape");
        return 0;
    }

    /// <summary>
    /// The value of the sample called <paramref name="name"/>, or that name plus the suffix the exporter
    /// derives from the unit or instrument kind (<c>_total</c>, <c>_per_second</c>, ...); fails listing the names seen.
    /// </summary>
    internal static double Value(string exposition, string name)
    {
        var found = new List<double>();
        foreach (var line in exposition.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var end = line.Contains('{', StringComparison.Ordinal) ? line.IndexOf('}', StringComparison.Ordinal) + 1 : line.IndexOf(' ', StringComparison.Ordinal);
            if (end <= 0) continue;
            var metric = line[..end].Split('{')[0];
            if (metric == name || (metric.StartsWith(name + "_", StringComparison.Ordinal) && !name.EndsWith("_count", StringComparison.Ordinal) && !name.EndsWith("_sum", StringComparison.Ordinal)
                && !metric.EndsWith("_bucket", StringComparison.Ordinal) && !metric.EndsWith("_count", StringComparison.Ordinal) && !metric.EndsWith("_sum", StringComparison.Ordinal)))
                found.Add(double.Parse(line[end..].Trim().Split(' ')[0], CultureInfo.InvariantCulture)); // "value [timestamp]"
        }
        if (found.Count == 1) return found[0];
        if (found.Count > 1) Assert.Fail($"{name}: {found.Count} series (another live meter in the process?): {string.Join(", ", found)}");
        var seen = exposition.Split('\n').Where(l => l.StartsWith("personalive_", StringComparison.Ordinal)).Select(l => l.Split(' ', '{')[0]).Distinct();
        Assert.Fail($"{name} is not exported; personalive series: {string.Join(", ", seen)}");
        return double.NaN;
    }
}

/// <summary>Meters are process-wide: this scrape must not see other tests' live sessions, so it runs alone.</summary>
[CollectionDefinition(nameof(PrometheusLiveMetricsTests), DisableParallelization = true)]
public sealed class PrometheusLiveMetricsCollection;
