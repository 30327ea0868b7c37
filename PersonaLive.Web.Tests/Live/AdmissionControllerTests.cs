using PersonaLive.Web.Live.Sessions;

namespace PersonaLive.Web.Tests.Live;

/// <summary>Admission control: a fixed number of slots, a fair queue with positions, cancellation moves people up.</summary>
public sealed class AdmissionControllerTests
{
    [Fact]
    public void Slots_run_out_at_the_limit_and_come_back_on_release()
    {
        var admission = new AdmissionController(2);
        var a = admission.TryEnter();
        var b = admission.TryEnter();
        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.Null(admission.TryEnter());
        a!.Dispose();
        a.Dispose(); // releasing twice frees one slot only
        Assert.Equal(1, admission.Active);
        Assert.NotNull(admission.TryEnter());
        Assert.Null(admission.TryEnter());
    }

    [Fact]
    public async Task Waiters_are_told_their_position_and_served_in_order()
    {
        var ct = TestContext.Current.CancellationToken;
        var admission = new AdmissionController(1);
        var holder = admission.TryEnter()!;
        var positions1 = new List<int>();
        var positions2 = new List<int>();
        var first = admission.EnterAsync(p => positions1.Add(p), ct);
        var second = admission.EnterAsync(p => positions2.Add(p), ct);
        Assert.Equal(2, admission.Waiting);
        Assert.Null(admission.TryEnter()); // nobody jumps the queue

        holder.Dispose();
        var t1 = await first.WaitAsync(TimeSpan.FromSeconds(5), ct);
        Assert.False(second.IsCompleted);
        Assert.Equal([1], positions1);
        Assert.Equal([2, 1], positions2);
        Assert.Equal(1, admission.Active);

        t1.Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(5), ct)).Dispose();
        Assert.Equal(0, admission.Active);
        Assert.Equal(0, admission.Waiting);
    }

    [Fact]
    public async Task Leaving_the_queue_moves_the_others_up()
    {
        var ct = TestContext.Current.CancellationToken;
        var admission = new AdmissionController(1);
        using var holder = admission.TryEnter()!;
        using var leave = new CancellationTokenSource();
        var positions = new List<int>();
        var leaver = admission.EnterAsync(null, leave.Token);
        var stayer = admission.EnterAsync(p => positions.Add(p), ct);

        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaver);
        Assert.Equal([2, 1], positions);
        Assert.Equal(1, admission.Waiting);
        Assert.False(stayer.IsCompleted);
    }
}
