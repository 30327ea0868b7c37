using PersonaLive.WebRtc.Media;
using PersonaLive.WebRtc.Media.Congestion;
using PersonaLive.WebRtc.Rtcp.TransportCc;

namespace PersonaLive.WebRtc.Tests.Congestion;

/// <summary>
/// Hostile transport-cc feedback against the whole sender chain (matcher and delay-based estimator):
/// replayed, reordered and "everything arrived at once" feedback, the kind that claims a huge receive
/// rate, never lifts the target past the configured ceiling or past what we actually sent, and never
/// below the floor.
/// </summary>
public sealed class EstimatorRobustnessTests
{
    [Fact]
    public void Replayed_reordered_and_instant_feedback_keeps_the_target_within_bounds_and_what_we_sent()
    {
        const int Min = 150, Max = 2500;
        var estimator = new DelayBasedEstimator(300, Min, Max);
        var adapter = new TransportFeedbackAdapter { Observer = estimator };
        var random = new Random(3);
        var history = new List<TransportFeedback>();
        long now = 0;
        for (int round = 0; round < 600; round++, now += 50_000)
        {
            // We send two 940-byte packets per 50 ms: 300 kb/s.
            var statuses = new List<TransportPacketStatus>();
            for (int i = 0; i < 2; i++)
            {
                ushort seq = adapter.OnPacketSent(940, now + i * 25_000);
                long arrival = random.Next(4) switch
                {
                    0 => 0, // everything "arrived" at the same instant: an infinite receive rate
                    1 => -now * 1000, // arrival times running backwards
                    _ => now + i * 25_000 + random.Next(0, 5_000),
                };
                statuses.Add(new TransportPacketStatus(seq, true, arrival));
            }

            if (random.Next(3) == 0)
            {
                statuses.Reverse(); // reordered sequence numbers
            }

            var feedback = new TransportFeedback(1, 2, statuses[0].Sequence, 0, (byte)round, statuses);
            history.Add(feedback);
            adapter.OnFeedback(feedback, now);
            adapter.OnFeedback(history[random.Next(history.Count)], now); // a replay of any earlier one
            Assert.InRange(estimator.TargetKbps, Min, Max);
        }

        // Growth is bounded by 1.5 x what was acknowledged, and the acknowledged rate by what we sent.
        Assert.InRange(estimator.TargetKbps, Min, 1.5 * 300 + 10 + 1);
        Assert.InRange(estimator.AckedKbps, 0, 2 * 300);
    }
}
