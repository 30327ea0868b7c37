using PersonaLive.Media;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;
using PersonaLive.Web.Hosting;
using PersonaLive.Web.Live.Diagnostics;
using PersonaLive.Web.Live.Imaging;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Pipeline;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.Web.Tests.Fakes;

namespace PersonaLive.Web.Tests.Live;

/// <summary>
/// The whole per-session loop with a fake media peer and the delayed echo engine: frames flow camera ->
/// gate -> engine -> pacer -> peer with their capture times, viewers get the encoded output, and every
/// way a session ends frees everything.
/// </summary>
public sealed class LiveSessionTests : IAsyncDisposable
{
    private readonly FakeMediaPeerFactory _peers = new();
    private readonly List<DelayedEchoEngine> _engines = [];
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private TimeSpan _delay = TimeSpan.Zero;
    private int _chunk = 1;

    private LiveSessionManager CreateManager(int maxSessions = 2, TimeProvider? time = null, Func<IAnimationEngine>? engine = null)
    {
        var engines = TestSessionManagers.ReadyEcho(engine ?? (() => { var e = new DelayedEchoEngine(_delay, _chunk, 32); _engines.Add(e); return e; }));
        return TestSessionManagers.Create(engines, _peers, _meters.GetRequiredService<IMeterFactory>(),
            new LimitsOptions { MaxSessions = maxSessions, IdleTimeoutSeconds = 30, MaxViewersPerSession = 2 }, time);
    }

    private static PreparedPortrait Portrait() => new(new RgbaImage(16, 16), 16);

    [Fact]
    public async Task Frames_flow_through_with_their_capture_times()
    {
        await using var manager = CreateManager();
        var (session, answer) = manager.Start(manager.Admission.TryEnter()!, Portrait(), "offer");
        Assert.StartsWith("v=0", answer, StringComparison.Ordinal);
        var host = _peers.Created.Single();
        Assert.Equal("offer", host.Offer);

        for (var i = 0; i < 20; i++)
        {
            using var frame = I420Frame.Create(64, 48);
            frame.Y.Fill((byte)(16 + i * 10)); frame.U.Fill(128); frame.V.Fill(128);
            host.Deliver(frame, captureUs: 1_000_000 + i * 40_000);
            await Task.Delay(15, TestContext.Current.CancellationToken);
        }
        await WaitUntil(() => host.Sent.Any(s => s.CaptureUs == 1_000_000 + 19 * 40_000));

        var sent = host.Sent.ToList();
        Assert.InRange(sent.Count, 2, 20);
        foreach (var (rtp, captureUs, luma) in sent)
        {
            // The output of driving frame i is that frame (echo engine), so its luma tells which one it was.
            var i = (int)((captureUs - 1_000_000) / 40_000);
            Assert.InRange(luma, 16 + i * 10 - 2, 16 + i * 10 + 2);
            Assert.Equal(captureUs, session.Latency.CaptureTimeOf(rtp));
        }
        Assert.Equal(sent.Select(s => s.CaptureUs).Order(), sent.Select(s => s.CaptureUs)); // never out of order
        Assert.Equal("echo", session.GetStats().EngineName);
    }

    [Fact]
    public async Task Known_engine_delay_shows_up_in_the_measured_latency()
    {
        var zero = await MedianServerLatency(TimeSpan.Zero);
        var delayed = await MedianServerLatency(TimeSpan.FromMilliseconds(80));
        Assert.True(delayed >= 80, $"delayed median {delayed:0.0} ms must include the 80 ms the engine adds");
        Assert.True(delayed - zero >= 60, $"median with delay {delayed:0.0} ms vs without {zero:0.0} ms");
    }

    private async Task<double> MedianServerLatency(TimeSpan delay)
    {
        _delay = delay;
        await using var manager = CreateManager();
        var (session, _) = manager.Start(manager.Admission.TryEnter()!, Portrait(), "offer");
        var host = _peers.Created.Last();
        var started = DateTime.UtcNow;
        for (var i = 0; host.Sent.Count < 8 && DateTime.UtcNow - started < TimeSpan.FromSeconds(20); i++)
        {
            using var frame = I420Frame.Create(32, 32);
            host.Deliver(frame, 1000 * i);
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        Assert.True(host.Sent.Count >= 8, "the loop produced output");
        return session.GetStats().ServerLatencyMs!.Value;
    }

    [Fact]
    public async Task Chunked_engine_gets_four_frames_at_a_time()
    {
        _chunk = 4;
        await using var manager = CreateManager();
        manager.Start(manager.Admission.TryEnter()!, Portrait(), "offer");
        var host = _peers.Created.Single();
        for (var i = 0; i < 8; i++)
        {
            using var frame = I420Frame.Create(16, 16);
            host.Deliver(frame, i);
        }
        await WaitUntil(() => host.Sent.Count >= 4);
        // The echo engine throws on any chunk that is not exactly 4 frames, which would end the session.
        Assert.Equal(1, manager.ActiveCount);
        var captures = host.Sent.Take(4).Select(s => s.CaptureUs).ToList();
        Assert.Equal(captures.Order().Distinct(), captures);
        Assert.Equal(0, _engines.Single().Recentered);
    }

    [Fact]
    public async Task Viewers_get_the_encoded_output_and_revoking_drops_them()
    {
        await using var manager = CreateManager();
        var (session, _) = manager.Start(manager.Admission.TryEnter()!, Portrait(), "offer");
        var host = _peers.Created.Single();
        var link = manager.Share(session.Id);

        var join = manager.JoinAsViewer(link.Token, "viewer-offer");
        Assert.Equal(ViewerJoinStatus.Joined, join.Status);
        var viewer = _peers.Created.Last();
        Assert.Equal(MediaPeerRole.Viewer, viewer.Role);
        Assert.Equal(1, host.KeyframesForced); // a joining viewer triggers a keyframe
        Assert.Equal(1, link.ViewerCount);

        viewer.RaiseKeyframeRequest(); // PLI from the viewer's browser reaches the host encoder
        Assert.Equal(2, host.KeyframesForced);

        using (var frame = I420Frame.Create(16, 16)) host.Deliver(frame, 1);
        await WaitUntil(() => !viewer.EncodedReceived.IsEmpty);

        await manager.RevokeAsync(link);
        await WaitUntil(() => viewer.Disposed);
        Assert.Equal(0, link.ViewerCount);
        Assert.Equal(0, session.ViewerCount);
        var again = manager.JoinAsViewer(link.Token, "viewer-offer");
        Assert.Equal(ViewerJoinStatus.Closed, again.Status);
        Assert.Equal(ShareLink.RevokedByHost, again.Error);
        Assert.Equal(ViewerJoinStatus.Unknown, manager.JoinAsViewer(ShareLinkRegistry.NewToken(), "x").Status);
    }

    [Fact]
    public async Task Viewer_limit_is_enforced()
    {
        await using var manager = CreateManager();
        var (session, _) = manager.Start(manager.Admission.TryEnter()!, Portrait(), "offer");
        var link = manager.Share(session.Id);
        Assert.Equal(ViewerJoinStatus.Joined, manager.JoinAsViewer(link.Token, "o").Status);
        var second = manager.JoinAsViewer(link.Token, "o");
        Assert.Equal(ViewerJoinStatus.Joined, second.Status);
        Assert.Equal(ViewerJoinStatus.Full, manager.JoinAsViewer(link.Token, "o").Status);
        await manager.LeaveAsync(second.ViewerId!);
        Assert.Equal(ViewerJoinStatus.Joined, manager.JoinAsViewer(link.Token, "o").Status);
    }

    [Fact]
    public async Task Fifty_connect_disconnect_cycles_leave_nothing_behind()
    {
        await using var manager = CreateManager(maxSessions: 1);
        var threadsBefore = System.Diagnostics.Process.GetCurrentProcess().Threads.Count;
        for (var cycle = 0; cycle < 50; cycle++)
        {
            var (session, _) = manager.Start(manager.Admission.TryEnter()!, Portrait(), "offer");
            var link = manager.Share(session.Id);
            manager.JoinAsViewer(link.Token, "o");
            using (var frame = I420Frame.Create(16, 16)) _peers.Created.First(p => p.Role == MediaPeerRole.Host && !p.Disposed).Deliver(frame, cycle);
            await manager.EndAsync(session.Id, "user stopped");
            Assert.False(link.IsOpen);
        }
        Assert.Equal(0, manager.ActiveCount);
        Assert.Equal(0, manager.ViewerCount);
        Assert.Equal(0, manager.Admission.Active);
        Assert.Equal(100, _peers.Created.Count);
        Assert.All(_peers.Created, p => Assert.True(p.Disposed));
        Assert.Equal(50, _engines.Count);
        Assert.All(_engines, e => Assert.NotNull(e.Portrait));
        Assert.InRange(System.Diagnostics.Process.GetCurrentProcess().Threads.Count, 0, threadsBefore + 8);
    }

    [Fact]
    public async Task Failing_engine_ends_only_its_session_and_frees_the_slot()
    {
        await using var manager = CreateManager(engine: () => new ThrowingEngine());
        var ended = new TaskCompletionSource<string>();
        manager.SessionEnded += (_, end) => ended.TrySetResult(end.Message);
        manager.Start(manager.Admission.TryEnter()!, Portrait(), "offer");
        using (var frame = I420Frame.Create(16, 16)) _peers.Created.Single().Deliver(frame, 1);

        var reason = await ended.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Contains("engine failed", reason, StringComparison.Ordinal);
        Assert.Equal(0, manager.ActiveCount);
        Assert.Equal(0, manager.Admission.Active);
        Assert.True(_peers.Created.Single().Disposed);
    }

    [Fact]
    public async Task Lost_connection_ends_the_session()
    {
        await using var manager = CreateManager();
        var ended = new TaskCompletionSource<SessionEnd>();
        manager.SessionEnded += (_, end) => ended.TrySetResult(end);
        manager.Start(manager.Admission.TryEnter()!, Portrait(), "offer");
        _peers.Created.Single().SetState(MediaPeerState.Failed);
        var end = await ended.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Contains("lost", end.Message, StringComparison.Ordinal);
        Assert.Equal(SessionEndReason.ConnectionLost, end.Reason);
        Assert.Equal(0, manager.Admission.Active);
    }

    [Fact]
    public async Task Bad_offer_frees_the_peer_the_engine_and_the_slot()
    {
        await using var manager = CreateManager();
        _peers.Customize = role => new FakeMediaPeer(role, "bad") { AnswerFailure = new MediaNegotiationException("The browser offered no VP8.") };
        var ex = Assert.Throws<MediaNegotiationException>(() => manager.Start(manager.Admission.TryEnter()!, Portrait(), "offer"));
        Assert.Equal("The browser offered no VP8.", ex.Message);
        Assert.Equal(0, manager.Admission.Active); // the slot is free at once
        var peer = _peers.Created.Single();
        for (var waited = 0; !peer.Disposed && waited < 5000; waited += 20) await Task.Delay(20, TestContext.Current.CancellationToken);
        Assert.True(peer.Disposed, "the failed start's clean-up (tracked, asynchronous) disposed the peer");
        Assert.Equal(0, manager.Admission.Active);
        Assert.Equal(0, manager.ActiveCount);
    }

    [Fact]
    public async Task Idle_sessions_are_ended_by_the_sweep()
    {
        var clock = new ManualTimeProvider();
        await using var manager = CreateManager(time: clock);
        var (idle, _) = manager.Start(manager.Admission.TryEnter()!, Portrait(), "offer");
        var (busy, _) = manager.Start(manager.Admission.TryEnter()!, Portrait(), "offer");
        clock.Advance(TimeSpan.FromSeconds(20));
        busy.Touch();
        clock.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(1, await manager.SweepIdleAsync());
        Assert.Null(manager.Find(idle.Id));
        Assert.NotNull(manager.Find(busy.Id));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 10 s");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync() => await _meters.DisposeAsync();
}
