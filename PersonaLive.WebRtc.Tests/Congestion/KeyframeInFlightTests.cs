using PersonaLive.WebRtc.Media;

namespace PersonaLive.WebRtc.Tests.Congestion;

/// <summary>
/// A keyframe request the receiver sent before our last keyframe could reach it is answered by that
/// keyframe: covered for a round trip plus the queue plus the keyframe's own transmission time, never
/// longer than a second, never before any keyframe was sent.
/// </summary>
public sealed class KeyframeInFlightTests
{
    [Fact]
    public void A_request_within_round_trip_queue_and_transmission_time_is_covered()
    {
        // 15 kB at 400 kb/s takes 300 ms; with a 40 ms round trip and a 200 ms queue the keyframe answers for 540 ms.
        Assert.Equal(540, KeyframeInFlight.WindowMs(15_000, 400, 40, 200), 6);
        Assert.True(KeyframeInFlight.Covers(10_539, 10_000, 15_000, 400, 40, 200));
        Assert.False(KeyframeInFlight.Covers(10_540, 10_000, 15_000, 400, 40, 200));
    }

    [Fact]
    public void On_a_fast_idle_path_a_request_soon_after_a_keyframe_still_gets_a_new_one()
    {
        // 10 kB at 2.5 Mb/s on loopback: 32 ms, so a request 50 ms later is a real new loss.
        Assert.True(KeyframeInFlight.Covers(10_020, 10_000, 10_000, 2500, 1, 0));
        Assert.False(KeyframeInFlight.Covers(10_050, 10_000, 10_000, 2500, 1, 0));
    }

    [Fact]
    public void Nothing_is_covered_before_a_keyframe_or_for_longer_than_a_second()
    {
        Assert.False(KeyframeInFlight.Covers(5_000, long.MinValue, 15_000, 400, 40, 200));
        Assert.Equal(KeyframeInFlight.MaxWindowMs, KeyframeInFlight.WindowMs(1_000_000, 150, 500, 2000));
        Assert.False(KeyframeInFlight.Covers(11_000, 10_000, 1_000_000, 150, 500, 2000));
        Assert.False(KeyframeInFlight.Covers(9_000, 10_000, 15_000, 400, 40, 200)); // a clock that went back
        Assert.Equal(0, KeyframeInFlight.WindowMs(0, 400, double.NaN, double.NegativeInfinity)); // absurd inputs add nothing
    }
}
