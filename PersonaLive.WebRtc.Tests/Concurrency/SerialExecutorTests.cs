using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.WebRtc.PeerConnection;

namespace PersonaLive.WebRtc.Tests.Concurrency;

/// <summary>The per-connection serial executor: one item at a time, in order per poster, failures counted.</summary>
public sealed class SerialExecutorTests
{
    [Fact]
    public async Task Items_posted_from_many_threads_run_one_at_a_time_in_order_and_a_throwing_item_is_counted()
    {
        var executor = new SerialExecutor(NullLogger.Instance);
        const int Threads = 4, PerThread = 5000;
        int inside = 0, maxInside = 0, ran = 0;
        var last = new int[Threads];
        bool inOrder = true;
        var posters = Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            for (int i = 1; i <= PerThread; i++)
            {
                int seq = i;
                executor.Post(() =>
                {
                    int now = Interlocked.Increment(ref inside);
                    maxInside = Math.Max(maxInside, now);
                    inOrder &= last[t] == seq - 1; // no lock needed: items never overlap
                    last[t] = seq;
                    ran++;
                    if (seq % 1000 == 0)
                    {
                        Interlocked.Decrement(ref inside);
                        throw new InvalidOperationException("item bug");
                    }

                    Interlocked.Decrement(ref inside);
                });
            }
        })).ToArray();
        await Task.WhenAll(posters);
        await executor.WhenDrained().WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.Equal(1, maxInside);
        Assert.True(inOrder, "items from one poster ran out of order");
        Assert.Equal(Threads * PerThread, ran);
        Assert.Equal(Threads * PerThread / 1000, executor.Failures);
        Assert.False(executor.IsCurrent);
    }
}
