using PersonaLive.WebRtc.Media;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>NACK retransmissions stay a bounded share of the target bitrate, whatever the receiver asks for.</summary>
public sealed class RetransmissionBudgetTests
{
    private const int PacketBytes = 1200;

    /// <summary>Every 5 ms for <paramref name="durationMs"/>, a NACK for 50 packets the budget has not seen recently.</summary>
    private static (long Requested, long SentBytes) Storm(RetransmissionBudget budget, int targetKbps, long startMs, int durationMs, ref ushort seq)
    {
        long requested = 0;
        long before = budget.SentBytes;
        for (long t = startMs; t < startMs + durationMs; t += 5)
        {
            for (int k = 0; k < 50; k++)
            {
                budget.TryResend(seq++, PacketBytes, targetKbps, t);
                requested++;
            }
        }

        return (requested, budget.SentBytes - before);
    }

    [Fact]
    public void A_nack_storm_yields_resends_bounded_by_the_budget_share_of_the_target_bitrate()
    {
        var budget = new RetransmissionBudget(budgetFraction: 0.3, burstMs: 250, minBurstBytes: 6000, minResendIntervalMs: 50);
        ushort seq = 0;
        var (requested, sentBytes) = Storm(budget, targetKbps: 1000, startMs: 0, durationMs: 1000, ref seq);

        // 1000 kb/s * 30 % = 37.5 bytes/ms: one second may resend the full bucket (250 ms) plus one second of refill.
        const double bound = 37.5 * 250 + 37.5 * 1000;
        Assert.Equal(10_000, requested); // 12 MB asked for
        Assert.InRange(sentBytes, 1, (long)bound);
        Assert.True(sentBytes >= (long)(37.5 * 1000) - PacketBytes, $"the budget must still be used, resent {sentBytes} bytes");
        Assert.Equal(requested, budget.Sent + budget.Skipped);
        Assert.Equal(budget.Skipped, budget.SkippedOverBudget);
        Assert.Equal(budget.Sent * PacketBytes, budget.SentBytes);
    }

    [Fact]
    public void A_lower_target_bitrate_shrinks_the_retransmission_rate()
    {
        ushort seq = 0;
        var high = new RetransmissionBudget(0.3, 250, 0, 50);
        var low = new RetransmissionBudget(0.3, 250, 0, 50);
        var (_, highBytes) = Storm(high, 2000, 0, 5000, ref seq);
        var (_, lowBytes) = Storm(low, 200, 0, 5000, ref seq);
        Assert.InRange(highBytes, (long)(75 * 5000 * 0.95), (long)(75 * 5250)); // 2000 kb/s * 0.3 = 75 bytes/ms
        Assert.InRange(lowBytes, (long)(7.5 * 5000 * 0.9), (long)(7.5 * 5250));  // 200 kb/s * 0.3 = 7.5 bytes/ms

        // the target falls mid-storm (loss reported): what was saved up at the old rate is capped to the new bucket
        var falling = new RetransmissionBudget(0.3, 250, 0, 50);
        Storm(falling, 2000, 0, 100, ref seq);
        long before = falling.SentBytes;
        Assert.Equal(RetransmissionDecision.Send, falling.TryResend(seq++, PacketBytes, 200, 10_000));
        var (_, after) = Storm(falling, 200, 10_000, 1000, ref seq);
        Assert.InRange(falling.SentBytes - before, 1, (long)(7.5 * 250 + 7.5 * 1000) + PacketBytes);
        Assert.True(after > 0);
    }

    [Fact]
    public void A_second_copy_of_a_resend_comes_only_from_the_spare_half_of_the_budget()
    {
        var budget = new RetransmissionBudget(0.3, 250, 6000, minResendIntervalMs: 50);
        // 1000 kb/s: 37.5 bytes/ms, a bucket of 9375 bytes; a copy may not take it below 4687.
        Assert.Equal(RetransmissionDecision.Send, budget.TryResend(1, PacketBytes, 1000, 0));
        int copies = 0;
        for (ushort seq = 2; seq < 12; seq++)
        {
            if (budget.TryCopy(PacketBytes, 1000, 0)) copies++;
        }

        Assert.InRange(copies, 1, (int)(9375 / 2 / PacketBytes));
        Assert.Equal(copies, budget.Copies);
        Assert.Equal(RetransmissionDecision.Send, budget.TryResend(20, PacketBytes, 1000, 0)); // first resends still fit
        Assert.False(budget.TryCopy(PacketBytes, 1000, 0));
        Assert.True(budget.TryCopy(PacketBytes, 1000, 200)); // refilled
    }

    [Fact]
    public void A_packet_resent_moments_ago_is_not_resent_again_until_the_interval_passed()
    {
        var budget = new RetransmissionBudget(0.3, 250, 6000, minResendIntervalMs: 50);
        Assert.Equal(RetransmissionDecision.Send, budget.TryResend(7, PacketBytes, 1000, 100));
        Assert.Equal(RetransmissionDecision.SkippedRecentlySent, budget.TryResend(7, PacketBytes, 1000, 120));
        Assert.Equal(RetransmissionDecision.SkippedRecentlySent, budget.TryResend(7, PacketBytes, 1000, 149));
        Assert.Equal(RetransmissionDecision.Send, budget.TryResend(8, PacketBytes, 1000, 149));
        Assert.Equal(RetransmissionDecision.Send, budget.TryResend(7, PacketBytes, 1000, 150));
        Assert.Equal(RetransmissionDecision.Send, budget.TryResend(7 + 1024, PacketBytes, 1000, 151)); // same slot, other packet
        Assert.Equal(2, budget.SkippedRecentlySent);
        Assert.Equal(0, budget.SkippedOverBudget);
        Assert.Equal(4, budget.Sent);
    }

    [Fact]
    public void An_exhausted_budget_refills_with_time()
    {
        var budget = new RetransmissionBudget(0.3, 250, 0, 50);
        ushort seq = 0;
        Storm(budget, 1000, 0, 50, ref seq); // drains the 9375-byte bucket
        Assert.Equal(RetransmissionDecision.SkippedOverBudget, budget.TryResend(seq++, PacketBytes, 1000, 50));
        Assert.Equal(RetransmissionDecision.Send, budget.TryResend(seq++, PacketBytes, 1000, 50 + 33)); // 33 ms * 37.5 = 1237 bytes
    }
}
