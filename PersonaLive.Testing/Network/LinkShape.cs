using System.Globalization;

namespace PersonaLive.TestSupport;

/// <summary>
/// What one direction of a <see cref="NetworkLab"/> link does to packets: a bottleneck rate (a token
/// bucket, <c>tc tbf</c>, with a queue of <see cref="QueueMs"/> at that rate, like a home router's
/// buffer), a one-way delay and random or bursty loss (what <c>tc netem</c> does; <see cref="ImpairedPath"/>
/// applies them). Bursty loss is the Gilbert-Elliott model: the link flips between a good state (no loss) and a bad state (every packet
/// lost); <see cref="MeanBurstPackets"/> is the mean length of a bad spell, and the chance of entering it
/// is chosen so the long-run loss is <see cref="LossPercent"/>.
/// </summary>
/// <param name="RateKbit">Bottleneck rate in kbit/s; 0 = no rate limit.</param>
/// <param name="DelayMs">One-way delay in ms (half the round-trip time when both directions have it).</param>
/// <param name="LossPercent">Mean packet loss in percent.</param>
/// <param name="MeanBurstPackets">0 = independent (random) loss; above 1 = Gilbert-Elliott bursts of this mean length.</param>
/// <param name="QueueMs">The bottleneck queue, in ms of traffic at <paramref name="RateKbit"/>; packets beyond it are dropped.</param>
public sealed record LinkShape(int RateKbit, int DelayMs, double LossPercent = 0, double MeanBurstPackets = 0, int QueueMs = 400)
{
    /// <summary>An unshaped link (no delay, loss or rate limit).</summary>
    public static LinkShape Open { get; } = new(0, 0);

    /// <summary>The arguments after <c>tbf</c>: rate, burst (10 ms at the rate, at least two full packets) and queue limit.</summary>
    public IReadOnlyList<string> TbfArguments()
    {
        long bytesPerSecond = RateKbit * 1000L / 8;
        long burst = Math.Max(3200, bytesPerSecond / 100);
        long limit = Math.Max(burst + 3200, bytesPerSecond * QueueMs / 1000);
        return ["rate", $"{RateKbit}kbit", "burst", burst.ToString(CultureInfo.InvariantCulture), "limit", limit.ToString(CultureInfo.InvariantCulture)];
    }

    public override string ToString() =>
        (RateKbit > 0 ? $"{RateKbit} kbit/s" : "no rate limit") + $", {DelayMs} ms one way"
        + (LossPercent > 0 ? $", {LossPercent:0.#} % {(MeanBurstPackets > 1 ? $"bursty (mean burst {MeanBurstPackets:0.#})" : "random")} loss" : "");
}
