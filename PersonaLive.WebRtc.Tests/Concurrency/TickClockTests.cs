using PersonaLive.WebRtc.PeerConnection;

namespace PersonaLive.WebRtc.Tests.Concurrency;

/// <summary>
/// The shared 20 ms clock of all peer connections: a registered tick keeps coming at about the period,
/// and a removed one never comes again (a closed connection must not be kept alive or ticked by it).
/// </summary>
public sealed class TickClockTests
{
    [Fact]
    public async Task A_registered_tick_comes_every_period_and_stops_once_removed()
    {
        var ct = TestContext.Current.CancellationToken;
        int calls = 0;
        Action tick = () => Interlocked.Increment(ref calls);
        TickClock.Add(tick);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (Volatile.Read(ref calls) < 5 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20, ct);
            }

            Assert.True(Volatile.Read(ref calls) >= 5, $"{calls} ticks in 10 s");
        }
        finally
        {
            TickClock.Remove(tick);
        }

        await Task.Delay(TickClock.Period * 2, ct); // a callback already running may still deliver one
        int after = Volatile.Read(ref calls);
        await Task.Delay(TickClock.Period * 10, ct);
        Assert.Equal(after, Volatile.Read(ref calls));
        TickClock.Remove(tick); // idempotent
    }

    [Fact]
    public async Task Many_connections_share_one_clock_and_each_gets_its_tick()
    {
        var ct = TestContext.Current.CancellationToken;
        var counts = new int[20];
        var ticks = Enumerable.Range(0, counts.Length).Select(i => (Action)(() => Interlocked.Increment(ref counts[i]))).ToArray();
        foreach (var t in ticks) TickClock.Add(t);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (counts.Any(c => Volatile.Read(ref c) < 3) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20, ct);
            }

            Assert.All(counts, c => Assert.True(c >= 3));
        }
        finally
        {
            foreach (var t in ticks) TickClock.Remove(t);
        }
    }
}
