using PersonaLive.Web.Live.Pipeline;
using PersonaLive.Web.Tests.Fakes;

namespace PersonaLive.Web.Tests.Live;

/// <summary>The OutputPacer spreads a chunk over the measured interval and never holds frames past the next chunk.</summary>
public sealed class OutputPacerTests
{
    [Fact]
    public void Outputs_of_a_chunk_are_spaced_over_the_measured_interval()
    {
        var clock = new ManualTimeProvider();
        var pacer = new OutputPacer<int>(clock);
        pacer.Enqueue([0, 1, 2, 3]);
        Assert.Equal([0, 1, 2, 3], pacer.TakeDue(out _)); // no interval known yet: no spacing

        clock.Advance(TimeSpan.FromMilliseconds(160));
        pacer.Enqueue([4, 5, 6, 7]);
        Assert.Equal(TimeSpan.FromMilliseconds(160), pacer.ChunkInterval);

        Assert.Equal([4], pacer.TakeDue(out var next));
        Assert.Equal(TimeSpan.FromMilliseconds(40), next);
        clock.Advance(TimeSpan.FromMilliseconds(40));
        Assert.Equal([5], pacer.TakeDue(out _));
        clock.Advance(TimeSpan.FromMilliseconds(40));
        Assert.Equal([6], pacer.TakeDue(out _));
        clock.Advance(TimeSpan.FromMilliseconds(39));
        Assert.Empty(pacer.TakeDue(out next));
        Assert.Equal(TimeSpan.FromMilliseconds(1), next);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal([7], pacer.TakeDue(out next));
        Assert.Null(next);
    }

    [Fact]
    public void Leftovers_are_released_when_the_next_chunk_arrives()
    {
        var clock = new ManualTimeProvider();
        var pacer = new OutputPacer<int>(clock);
        pacer.Enqueue([0]);
        Assert.Equal([0], pacer.TakeDue(out _));
        clock.Advance(TimeSpan.FromMilliseconds(200));
        pacer.Enqueue([1, 2, 3, 4]);
        clock.Advance(TimeSpan.FromMilliseconds(10)); // next chunk came early (engine sped up)
        pacer.Enqueue([5, 6, 7, 8]);
        // Everything from the earlier chunk, plus the first of the new one, is due now.
        Assert.Equal([1, 2, 3, 4, 5], pacer.TakeDue(out _));
    }

    [Fact]
    public void Interval_is_clamped_so_a_stall_does_not_stretch_pacing()
    {
        var clock = new ManualTimeProvider();
        var pacer = new OutputPacer<int>(clock);
        pacer.Enqueue([0]);
        clock.Advance(TimeSpan.FromSeconds(10));
        pacer.Enqueue([1]);
        Assert.Equal(OutputPacer<int>.MaxInterval, pacer.ChunkInterval);
    }

    [Fact]
    public async Task Run_loop_sends_everything_in_order()
    {
        var pacer = new OutputPacer<int>(TimeProvider.System);
        var sent = new List<int>();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var all = new TaskCompletionSource();
        var run = pacer.RunAsync(i => { sent.Add(i); if (sent.Count == 8) all.TrySetResult(); }, cts.Token);
        pacer.Enqueue([0, 1, 2, 3]);
        await Task.Delay(40, TestContext.Current.CancellationToken);
        pacer.Enqueue([4, 5, 6, 7]);
        await all.Task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(Enumerable.Range(0, 8), sent);
    }
}
