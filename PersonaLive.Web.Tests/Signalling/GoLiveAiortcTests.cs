using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PersonaLive.TestSupport;
using PersonaLive.Testing.Hosting;
using PersonaLive.Web.Live.Benchmarks;
using PersonaLive.Web.Live.GoLive;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.Web.Tests.Fakes;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.Web.Tests.Signalling;

/// <summary>What the aiortc WHIP server reports on GET /stats.</summary>
internal sealed record AiortcServerStats(int Posts, int Deletes, int FramesDecoded, int AudioFrames, string? VideoCodec, string? State, bool OfferHasCandidates);

/// <summary>
/// Go live against a WHIP server nobody here wrote: aiortc (Debian python3-aiortc, a full ICE agent that
/// answers with a=setup:active) plays the streaming service. A live session (synthetic client with
/// voice, real stack, echo engine) publishes to it: aiortc decodes our video and voice; killing the server
/// makes us reconnect with backoff, and a restarted server decodes frames again; Stop DELETEs. No log line
/// of the whole run carries the bearer token.
/// </summary>
[Collection(nameof(PersonaLive.Web.Tests.Live.SyntheticLiveClientTests))]
public sealed class GoLiveAiortcTests
{
    private const string Python = "/usr/bin/python3";
    private const string Token = "golive-secret-token-5f1c2a9e77";
    private static readonly byte[] OpusSilence = [0xF8, 0xFF, 0xFE]; // a valid 20 ms Opus frame

    [Fact]
    public async Task GoLive_publishes_to_an_aiortc_whip_server_reconnects_after_it_restarts_and_never_logs_the_token()
    {
        var ct = TestContext.Current.CancellationToken;
        if (!File.Exists(Python) || !Directory.Exists("/usr/lib/python3/dist-packages/aiortc"))
            Prerequisite.Missing("aiortc is not installed (apt-get install python3-aiortc).");
        var logs = new LogCapture();
        await using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Live:WarmUpOnStart", "false");
            b.UseSetting("Live:EchoEngineDelayMs", "0");
            b.UseSetting("Rtc:MediaPort", "0");
            b.UseSetting("Rtc:BindAddress", "127.0.0.1");
            b.UseSetting("Rtc:ConsentTimeoutSeconds", "3");
            b.ConfigureTestServices(s => s.AddTestEngines().AddLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Trace)));
        });
        _ = app.Server;
        var sessions = app.Services.GetRequiredService<LiveSessionManager>();
        var goLive = app.Services.GetRequiredService<GoLiveService>();
        goLive.Timeouts = new GoLiveTimeouts(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10));
        var statuses = new ConcurrentQueue<GoLiveStatus>();
        goLive.StatusChanged += (_, s) => statuses.Enqueue(s);
        var (portrait, png) = await RealStackApp.AdaPortraitAsync(app, ct);
        var loop = EncodedCameraLoop.Encode(SyntheticLiveClient.CameraLoop(png, 160, 120, 30));
        await using var client = await SyntheticLiveClient.ConnectAsync(sessions, portrait, ct, decodeOutput: false, voice: true);
        using var stopCamera = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var camera = Task.Run(async () =>
        {
            for (uint i = 0; !stopCamera.IsCancellationRequested; i++)
            {
                client.Send(loop);
                client.Peer.SendAudio(new AudioPacket(OpusSilence, 960 * 2 * i, (ushort)(2 * i), i == 0, NtpTime.Now(), 0));
                client.Peer.SendAudio(new AudioPacket(OpusSilence, 960 * (2 * i + 1), (ushort)(2 * i + 1), false, NtpTime.Now(), 0));
                await Task.Delay(40, CancellationToken.None);
            }
        }, CancellationToken.None);

        int port = FreeTcpPort();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var server = await StartServerAsync(port, ct);
        try
        {
            Assert.Null(await goLive.StartAsync(client.SessionId, $"http://127.0.0.1:{port}/whip", Token));
            await WaitAsync(() => goLive.Status(client.SessionId).State == GoLiveState.Live, 25, "live", goLive, client.SessionId);
            var first = await WaitStatsAsync(http, s => s.FramesDecoded >= 20 && s.AudioFrames >= 5, 20, ct);
            Assert.Equal("video/VP8", first.VideoCodec);
            Assert.True(first.OfferHasCandidates, "a full ICE answerer needs our candidates in the offer");

            // The service goes away: consent is lost, we say so and retry with backoff until it is back.
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(ct);
            await WaitAsync(() => goLive.Status(client.SessionId).State == GoLiveState.Reconnecting, 20, "reconnecting", goLive, client.SessionId);
            Assert.StartsWith("Reconnecting in ", goLive.Status(client.SessionId).Describe(DateTimeOffset.UtcNow), StringComparison.Ordinal);
            server.Dispose();
            server = await StartServerAsync(port, ct);
            await WaitAsync(() => goLive.Status(client.SessionId).State == GoLiveState.Live, 40, "live again", goLive, client.SessionId);
            var second = await WaitStatsAsync(http, s => s.FramesDecoded >= 20, 20, ct);
            Assert.Equal(1, second.Posts);

            await goLive.StopAsync(client.SessionId);
            Assert.Equal(GoLiveState.Off, goLive.Status(client.SessionId).State);
            Assert.Equal(1, (await StatsAsync(http, ct)).Deletes);
            Assert.Equal(0, sessions.Find(client.SessionId)!.ViewerCount); // the publish's peer is gone
        }
        finally
        {
            await stopCamera.CancelAsync();
            await camera;
            if (!server.HasExited) server.Kill(entireProcessTree: true);
            server.Dispose();
        }

        Assert.Contains(statuses, s => s.State == GoLiveState.Reconnecting && s.Message is not null);
        Assert.Contains(logs.Lines, l => l.Contains("live on 127.0.0.1", StringComparison.Ordinal)); // the capture works
        Assert.DoesNotContain(logs.Lines, l => l.Contains(Token, StringComparison.Ordinal));
        Assert.DoesNotContain(statuses, s => $"{s}".Contains(Token, StringComparison.Ordinal));
    }

    private static int FreeTcpPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task<Process> StartServerAsync(int port, CancellationToken ct)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "Signalling", "Aiortc", "whip_server.py");
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { script, port.ToString(System.Globalization.CultureInfo.InvariantCulture), Token }) psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        _ = process.StandardError.ReadToEndAsync(ct);
        var line = await process.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(20), ct);
        Assert.True(line == "LISTENING", $"the aiortc WHIP server did not start: {line}");
        return process;
    }

    private static async Task<AiortcServerStats> StatsAsync(HttpClient http, CancellationToken ct) =>
        JsonSerializer.Deserialize<AiortcServerStats>(await http.GetStringAsync("/stats", ct), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

    private static async Task<AiortcServerStats> WaitStatsAsync(HttpClient http, Func<AiortcServerStats, bool> done, int seconds, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        var stats = await StatsAsync(http, ct);
        while (!done(stats) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, ct);
            stats = await StatsAsync(http, ct);
        }

        Assert.True(done(stats), $"aiortc's counts stayed at {stats}");
        return stats;
    }

    private static async Task WaitAsync(Func<bool> done, int seconds, string what, GoLiveService goLive, string sessionId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!done() && DateTime.UtcNow < deadline) await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.True(done(), $"not {what} after {seconds} s: {goLive.Status(sessionId)}");
    }
}

/// <summary>Keeps every log line of an app (formatted message, structured values, scopes, exception text) for assertions.</summary>
internal sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> _lines = new();
    private IExternalScopeProvider? _scopes;

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = new System.Text.StringBuilder($"{category} {logLevel}: {formatter(state, exception)} {exception}");
            if (state is IEnumerable<KeyValuePair<string, object?>> values) foreach (var kv in values) line.Append($" {kv.Key}={kv.Value}");
            owner._scopes?.ForEachScope((scope, sb) => sb.Append($" scope={scope}"), line);
            owner._lines.Enqueue(line.ToString());
        }
    }
}
