using PersonaLive.Web.Live.Pipeline;

namespace PersonaLive.Web.Tests.Live;

/// <summary>The FrameGate keeps latency bounded: newest always taken (or, with a slack, left waiting for the next chunk), even spacing, every drop counted and freed.</summary>
public sealed class FrameGateTests
{
    [Theory]
    [InlineData(1, 1, new[] { 0 })]
    [InlineData(5, 1, new[] { 4 })]
    [InlineData(4, 4, new[] { 0, 1, 2, 3 })]
    [InlineData(8, 4, new[] { 1, 3, 5, 7 })]
    [InlineData(6, 4, new[] { 1, 2, 4, 5 })]
    [InlineData(10, 3, new[] { 3, 6, 9 })]
    public void Selection_is_evenly_spaced_and_includes_the_newest(int n, int k, int[] expected) =>
        Assert.Equal(expected, FrameGate<Frame>.SelectEvenly(n, k));

    [Fact]
    public async Task Chunk_of_one_takes_only_the_newest_and_drops_the_rest()
    {
        using var gate = new FrameGate<Frame>(16);
        var frames = Enumerable.Range(0, 5).Select(i => new Frame(i)).ToList();
        foreach (var f in frames) gate.Push(f);

        var chunk = await gate.TakeChunkAsync(1, TestContext.Current.CancellationToken);

        Assert.Equal(4, Assert.Single(chunk!).Index);
        Assert.Equal(4, gate.Dropped);
        Assert.All(frames.Take(4), f => Assert.True(f.Disposed));
        Assert.False(frames[4].Disposed);
        Assert.Equal(0, gate.Count);
    }

    [Fact]
    public async Task Chunk_of_four_waits_for_four_frames()
    {
        using var gate = new FrameGate<Frame>(16);
        gate.Push(new Frame(0));
        gate.Push(new Frame(1));
        var take = gate.TakeChunkAsync(4, TestContext.Current.CancellationToken);
        gate.Push(new Frame(2));
        Assert.False(take.IsCompleted);
        gate.Push(new Frame(3));
        var chunk = await take.AsTask().WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal([0, 1, 2, 3], chunk!.Select(f => f.Index));
        Assert.Equal(0, gate.Dropped);
    }

    [Fact]
    public void Capacity_bound_drops_the_oldest_on_arrival()
    {
        using var gate = new FrameGate<Frame>(3);
        var frames = Enumerable.Range(0, 10).Select(i => new Frame(i)).ToList();
        foreach (var f in frames) gate.Push(f);
        Assert.Equal(3, gate.Count);
        Assert.Equal(7, gate.Dropped);
        Assert.Equal(10, gate.Accepted);
        Assert.All(frames.Take(7), f => Assert.True(f.Disposed));
    }

    [Fact]
    public async Task A_slow_engine_never_sees_older_frames_than_the_newest_arrivals()
    {
        // Simulates a camera at 3x the engine's speed for 300 frames: the gap between the newest pushed
        // frame and the frame the engine gets stays zero, i.e. the queue (and latency) never grows.
        using var gate = new FrameGate<Frame>(8);
        var next = 0;
        var worstLag = 0;
        for (var round = 0; round < 100; round++)
        {
            for (var i = 0; i < 3; i++) gate.Push(new Frame(next++));
            var chunk = await gate.TakeChunkAsync(1, TestContext.Current.CancellationToken);
            worstLag = Math.Max(worstLag, next - 1 - chunk![0].Index);
        }
        Assert.Equal(0, worstLag);
        Assert.Equal(200, gate.Dropped);
        Assert.Equal(100, gate.Delivered);
    }

    [Fact]
    public async Task With_a_slack_of_one_a_worker_one_frame_late_catches_up_without_dropping()
    {
        // The worker comes late once: two frames wait. It takes the older, the newer waits, and the next
        // take gets it at once; nothing is dropped, and the worker is never more than one frame behind.
        using var gate = new FrameGate<Frame>(8, slack: 1);
        var ct = TestContext.Current.CancellationToken;
        gate.Push(new Frame(0));
        gate.Push(new Frame(1));
        Assert.Equal(0, Assert.Single((await gate.TakeChunkAsync(1, ct))!).Index);
        Assert.Equal(1, gate.Count);
        var next = gate.TakeChunkAsync(1, ct);
        Assert.True(next.IsCompleted);
        Assert.Equal(1, Assert.Single((await next)!).Index);
        Assert.Equal(0, gate.Dropped);

        // Three waiting: it is two frames late, so the oldest goes and the newest still waits.
        var frames = Enumerable.Range(2, 3).Select(i => new Frame(i)).ToList();
        foreach (var f in frames) gate.Push(f);
        Assert.Equal(3, Assert.Single((await gate.TakeChunkAsync(1, ct))!).Index);
        Assert.Equal(1, gate.Dropped);
        Assert.True(frames[0].Disposed);
        Assert.Equal(1, gate.Count);
        Assert.Equal(gate.Accepted, gate.Delivered + gate.Dropped + gate.Count);
    }

    [Fact]
    public async Task Close_wakes_the_taker_and_frees_pending_frames()
    {
        var gate = new FrameGate<Frame>(8);
        var take = gate.TakeChunkAsync(4, TestContext.Current.CancellationToken);
        var pending = new Frame(0);
        gate.Push(pending);
        gate.Close();
        Assert.Null(await take.AsTask().WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        Assert.True(pending.Disposed);
        var late = new Frame(1);
        Assert.False(gate.Push(late));
        Assert.True(late.Disposed);
    }

    internal sealed class Frame(int index) : IDisposable
    {
        public int Index { get; } = index;
        public bool Disposed { get; private set; }
        public void Dispose() => Disposed = true;
    }
}
