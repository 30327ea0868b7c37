using System.Diagnostics;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Live.Benchmarks;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Media.Rtc;
using PersonaLive.Web.Live.Portraits;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.WebRtc.Benchmarks;
using PersonaLive.Media;
using PersonaLive.WebRtc.PeerConnection;

using PersonaLive.Web.Tests.Fakes;

namespace PersonaLive.Web.Tests.EndToEnd;

/// <summary>
/// Real handles, real sockets: the app's live pipeline (echo engine, real WebRTC stack on a free UDP port)
/// driven by our own WebRTC client role. 50 sequential sessions that each connect, stream and hang up
/// leave no session, admission slot, peer connection, file descriptor or dedicated thread behind; a
/// client that vanishes without BYE is ended by the consent timeout.
/// </summary>
[Collection(nameof(ResilienceTests))]
public sealed class ResilienceTests : IAsyncLifetime
{
    private const int ConsentTimeoutSeconds = 3;
    private WebApplicationFactory<Program>? _factory;
    private PreparedPortrait? _portrait;
    private IReadOnlyList<I420Frame> _camera = [];

    private LiveSessionManager Sessions => _factory!.Services.GetRequiredService<LiveSessionManager>();
    private RtcMediaServer Server => ((RtcMediaPeerFactory)_factory!.Services.GetRequiredService<IMediaPeerFactory>()).Server!;

    public async ValueTask InitializeAsync()
    {
        _factory = RealStackApp.Start(("Live:EchoEngineDelayMs", "0"),
            ("Rtc:ConsentTimeoutSeconds", ConsentTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        (_portrait, var png) = await RealStackApp.AdaPortraitAsync(_factory, TestContext.Current.CancellationToken);
        _camera = SyntheticLiveClient.CameraLoop(png, 160, 120, 10);
    }

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
    }

    /// <summary>One session: connect, stream until animated frames come back, hang up with BYE.</summary>
    private async Task CycleAsync(CancellationToken ct)
    {
        var client = await SyntheticLiveClient.ConnectAsync(Sessions, _portrait!, ct);
        await using (client)
        {
            for (var i = 0; client.FramesReceived < 2; i++)
            {
                if (i > 200) Assert.Fail($"session {client.SessionId}: no animated frames came back");
                client.Send(_camera[i % _camera.Count]);
                await Task.Delay(20, ct);
            }
        }
        await EventuallyAsync(() => Sessions.Find(client.SessionId) is null, TimeSpan.FromSeconds(5), $"session {client.SessionId} ended after BYE");
    }

    [Fact]
    public async Task Fifty_sessions_in_a_row_leave_no_sessions_peers_descriptors_or_threads_behind()
    {
        var ct = TestContext.Current.CancellationToken;
        for (var i = 0; i < 3; i++) await CycleAsync(ct); // JIT, pools, first-use allocations
        await EventuallyAsync(() => Server.PeerConnectionCount == 0, TimeSpan.FromSeconds(5), "peer connections closed");
        var before = Snapshot();

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 50; i++) await CycleAsync(ct);
        var cycles = clock.Elapsed;

        await EventuallyAsync(() => Server.PeerConnectionCount == 0 && Sessions.ActiveCount == 0 && Sessions.Admission.Active == 0, TimeSpan.FromSeconds(5), "everything closed");
        ResourceSnapshot after = Snapshot();
        for (var i = 0; i < 30 && (after.FileDescriptors > before.FileDescriptors || after.DedicatedThreads > before.DedicatedThreads); i++)
        {
            await Task.Delay(100, ct); // closing threads and sockets finish asynchronously
            after = Snapshot();
        }
        TestContext.Current.TestOutputHelper?.WriteLine($"50 cycles in {cycles.TotalSeconds:0.0} s; before {before}; after {after}");

        Assert.Equal(0, Sessions.ActiveCount);
        Assert.Equal(0, Sessions.Admission.Active);
        Assert.Equal(0, Server.PeerConnectionCount);
        // File descriptors are the native handles on Linux (sockets, eventfds, libvpx/ORT files): none may leak.
        Assert.True(after.FileDescriptors <= before.FileDescriptors, $"file descriptors grew: {before.FileDescriptors} -> {after.FileDescriptors}");
        // Threads the app and its libraries create (UDP receive loops, DTLS, decoders, loggers) must all be gone.
        Assert.True(after.DedicatedThreads <= before.DedicatedThreads, $"dedicated threads grew: {before.DedicatedThreads} -> {after.DedicatedThreads}");
        // The runtime's own threads (thread-pool workers, socket-engine threads) are created on demand and
        // retire only after ~20 s idle; they may be a few more than before, bounded by the core count (2)
        // plus the pool's blocking-injection allowance. A per-session leak would be 50+.
        Assert.True(after.PoolThreads <= before.PoolThreads + Environment.ProcessorCount + 4, $"runtime threads grew: {before.PoolThreads} -> {after.PoolThreads}");
    }

    [Fact]
    public async Task A_client_that_vanishes_without_bye_is_ended_by_the_consent_timeout()
    {
        var ct = TestContext.Current.CancellationToken;
        using var relay = new LossyUdpRelay(Server.LocalEndPoint, 0);
        var port = Server.LocalEndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var relayPort = relay.ClientFacing.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var client = await SyntheticLiveClient.ConnectAsync(Sessions, _portrait!, ct,
            answer => answer.Replace($" {port} typ host", $" {relayPort} typ host", StringComparison.Ordinal).Replace($"m=video {port} ", $"m=video {relayPort} ", StringComparison.Ordinal));
        try
        {
            for (var i = 0; client.FramesReceived < 2; i++)
            {
                if (i > 200) Assert.Fail("no animated frames came back through the relay");
                client.Send(_camera[i % _camera.Count]);
                await Task.Delay(20, ct);
            }
            Assert.Equal(1, Sessions.ActiveCount);

            relay.Blackhole = true; // the browser is gone: no BYE, no consent checks, nothing
            var clock = Stopwatch.StartNew();
            await EventuallyAsync(() => Sessions.Find(client.SessionId) is null, TimeSpan.FromSeconds(ConsentTimeoutSeconds + 5), "session ended by consent timeout");
            TestContext.Current.TestOutputHelper?.WriteLine($"session ended {clock.Elapsed.TotalSeconds:0.0} s after the client vanished (consent timeout {ConsentTimeoutSeconds} s)");
            // Our client sends a consent check every second, so the last one reached the server up to 1 s
            // before the blackhole: the session ends between timeout - 1 s and timeout (+ the 20 ms timer).
            Assert.True(clock.Elapsed > TimeSpan.FromSeconds(ConsentTimeoutSeconds - 1.2), $"ended by the consent timeout, not by something else ({clock.Elapsed.TotalSeconds:0.0} s)");
            // The session leaves the table first, then frees its peer and its admission slot.
            await EventuallyAsync(() => Server.PeerConnectionCount == 0 && Sessions.Admission.Active == 0, TimeSpan.FromSeconds(3), "server peer connection and admission slot freed");
        }
        finally
        {
            await client.DisposeAsync();
        }
    }

    private static async Task EventuallyAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout) Assert.Fail($"not within {timeout.TotalSeconds} s: {what}");
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
    }

    private static ResourceSnapshot Snapshot()
    {
        var fds = Directory.GetFiles("/proc/self/fd").Length;
        int pool = 0;
        var dedicated = new List<string>();
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            string name;
            try { name = File.ReadAllText(Path.Combine(task, "comm")).Trim(); }
            catch (IOException) { continue; } // the thread just exited
            // ".NET ..." threads belong to the runtime: thread-pool workers, the socket engine, timers, GC.
            if (name.StartsWith(".NET ", StringComparison.Ordinal)) pool++;
            else dedicated.Add(name);
        }
        dedicated.Sort(StringComparer.Ordinal);
        return new ResourceSnapshot(fds, dedicated.Count, pool, string.Join(", ", dedicated));
    }

    private sealed record ResourceSnapshot(int FileDescriptors, int DedicatedThreads, int PoolThreads, string DedicatedNames);
}

/// <summary>Process-wide counters (descriptors, threads) are only meaningful while no other test runs.</summary>
[CollectionDefinition(nameof(ResilienceTests), DisableParallelization = true)]
public sealed class ResilienceCollection;
