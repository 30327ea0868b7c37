using PersonaLive.Media;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;
using PersonaLive.Web.Hosting;
using PersonaLive.Web.Live.Diagnostics;
using PersonaLive.Web.Live.Imaging;
using PersonaLive.Web.Live.Pipeline;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.Web.Tests.Fakes;

namespace PersonaLive.Web.Tests.Live;

/// <summary>
/// <c>personalive.frames.dropped</c> counts every camera frame the engine never got, exactly once:
/// frames not selected for a chunk (the normal path), capacity evictions, and frames left at the end.
/// </summary>
public sealed class DroppedFramesMetricTests : IAsyncDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [Fact]
    public async Task Gate_reports_selection_eviction_and_close_drops_to_its_callback_once_each()
    {
        long reported = 0;
        var gate = new FrameGate<FrameGateTests.Frame>(6, n => reported += n);
        for (var i = 0; i < 5; i++) gate.Push(new FrameGateTests.Frame(i));
        var chunk = await gate.TakeChunkAsync(2, TestContext.Current.CancellationToken); // takes 2 of 5: 3 not selected
        Assert.Equal(3, reported);
        for (var i = 0; i < 9; i++) gate.Push(new FrameGateTests.Frame(i)); // 3 evicted by the capacity of 6
        Assert.Equal(6, reported);
        gate.Close(); // 6 still waiting
        Assert.False(gate.Push(new FrameGateTests.Frame(99))); // refused: neither accepted nor dropped

        Assert.Equal(12, reported);
        Assert.Equal(gate.Dropped, reported);
        Assert.Equal(14, gate.Accepted);
        Assert.Equal(gate.Accepted - chunk!.Count, gate.Dropped);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task Dropped_metric_equals_frames_in_minus_frames_the_engine_used(int chunkSize)
    {
        var ct = TestContext.Current.CancellationToken;
        var meters = _services.GetRequiredService<IMeterFactory>();
        long framesIn = 0, dropped = 0;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, meters) && instrument.Name is "personalive.frames.in" or "personalive.frames.dropped")
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "personalive.frames.in") Interlocked.Add(ref framesIn, value);
            else Interlocked.Add(ref dropped, value);
        });
        listener.Start();

        var engine = new CountingEngine(new DelayedEchoEngine(TimeSpan.FromMilliseconds(25), chunkSize, 16));
        var peers = new FakeMediaPeerFactory();
        await using var manager = TestSessionManagers.Create(TestSessionManagers.ReadyEcho(() => engine), peers, meters, new LimitsOptions { MaxSessions = 1 });
        var (session, _) = manager.Start(manager.Admission.TryEnter()!, new PreparedPortrait(new RgbaImage(16, 16), 16), "offer");
        var host = peers.Created.Single();

        // A camera faster than the engine (selection drops), then a burst (capacity evictions), then stop
        // while frames are still waiting (dropped at close).
        for (var i = 0; i < 60; i++)
        {
            using var frame = I420Frame.Create(16, 16);
            host.Deliver(frame, i);
            await Task.Delay(5, ct);
        }
        for (var i = 0; i < 40; i++)
        {
            using var frame = I420Frame.Create(16, 16);
            host.Deliver(frame, 1000 + i);
        }
        var overlayDropped = session.GetStats().FramesDropped;
        await manager.EndAsync(session.Id, "test over");

        var used = engine.FramesReceived;
        TestContext.Current.TestOutputHelper?.WriteLine($"chunk {chunkSize}: in {framesIn}, engine used {used}, dropped {dropped} (overlay showed {overlayDropped} before the end)");
        Assert.Equal(100, Interlocked.Read(ref framesIn));
        Assert.InRange(used, chunkSize, 99);
        Assert.Equal(Interlocked.Read(ref framesIn) - used, Interlocked.Read(ref dropped));
        Assert.True(overlayDropped > 0 && overlayDropped <= dropped, $"the overlay's count ({overlayDropped}) is part of the metric ({dropped})");
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();

    /// <summary>Counts the driving frames the wrapped engine was given.</summary>
    private sealed class CountingEngine(IAnimationEngine inner) : ForwardingEngine(inner)
    {
        private long _received;
        public long FramesReceived => Interlocked.Read(ref _received);
        public override IReadOnlyList<AnimatedFrame> Animate(IReadOnlyList<DrivingFrame> chunk)
        {
            Interlocked.Add(ref _received, chunk.Count);
            return base.Animate(chunk);
        }
    }
}
