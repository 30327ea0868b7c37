using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;
using PersonaLive.Media;
using PersonaLive.Web.Hosting;
using PersonaLive.Web.Live.Benchmarks;
using PersonaLive.Web.Live.Diagnostics;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.Web.Tests.Fakes;

namespace PersonaLive.Web.Tests.Live;

/// <summary>
/// A session's engine worker that comes one frame late (held up by another session's work or another
/// process) finds two camera frames waiting. It animates the older and then the newer at once, so a
/// single hiccup costs one frame of latency instead of a dropped frame; only a worker that stays behind
/// drops. Deterministic: the engine holds its first frame until the test has delivered the next two.
/// </summary>
public sealed class LateEngineWorkerTests : IAsyncDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [Fact]
    public async Task A_worker_one_frame_late_animates_both_waiting_frames_and_drops_none()
    {
        var ct = TestContext.Current.CancellationToken;
        using var engine = new HeldEngine(new DelayedEchoEngine(TimeSpan.Zero, 1, 16));
        var peers = new FakeMediaPeerFactory();
        await using var manager = TestSessionManagers.Create(TestSessionManagers.ReadyEcho(() => engine), peers,
            _services.GetRequiredService<IMeterFactory>(), new LimitsOptions { MaxSessions = 1 });
        var (session, _) = manager.Start(manager.Admission.TryEnter()!, new PreparedPortrait(new RgbaImage(16, 16), 16), "offer");
        var host = peers.Created.Single();

        Deliver(host, 1_000);
        await engine.Entered.WaitAsync(TimeSpan.FromSeconds(10), ct); // the worker is busy with frame 1 ...
        Deliver(host, 2_000);
        Deliver(host, 3_000); // ... while frames 2 and 3 arrive: it is late by one frame
        engine.Release();

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (engine.Received.Count < 3 && DateTime.UtcNow < deadline) await Task.Delay(10, ct);
        Assert.Equal([1_000L, 2_000L, 3_000L], engine.Received.ToArray());
        Assert.Equal(0, session.GetStats().FramesDropped);
    }

    private static void Deliver(FakeMediaPeer host, long captureUs)
    {
        using var frame = I420Frame.Create(16, 16);
        host.Deliver(frame, captureUs);
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();

    /// <summary>Holds the first chunk until <see cref="Release"/>; records the capture time of every frame it animates.</summary>
    private sealed class HeldEngine(IAnimationEngine inner) : ForwardingEngine(inner)
    {
        private readonly SemaphoreSlim _entered = new(0), _release = new(0);
        private int _calls;
        public ConcurrentQueue<long> Received { get; } = new();
        public Task Entered => _entered.WaitAsync();
        public void Release() => _release.Release();
        public override IReadOnlyList<AnimatedFrame> Animate(IReadOnlyList<DrivingFrame> chunk)
        {
            foreach (var f in chunk) Received.Enqueue(f.CaptureTimeUs);
            if (Interlocked.Increment(ref _calls) == 1)
            {
                _entered.Release();
                _release.Wait(TimeSpan.FromSeconds(10));
            }
            return base.Animate(chunk);
        }
        public override void Dispose()
        {
            base.Dispose();
            _entered.Dispose();
            _release.Dispose();
        }
    }
}
