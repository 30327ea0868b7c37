using PersonaLive.WebRtc.Media;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>
/// The frame-loss wait follows the round trip: never under the configured value, two round trips plus
/// 50 ms on a slow path, at most a second, and the configured value when no round trip is known.
/// </summary>
public sealed class LossTimeoutTests
{
    [Fact]
    public void The_wait_covers_two_round_trips_within_the_configured_floor_and_a_second()
    {
        Assert.Equal(250, LossTimeout.For(250, 40)); // loopback-like: the configured wait
        Assert.Equal(450, LossTimeout.For(250, 200)); // 100 ms path with a 100 ms queue
        Assert.Equal(LossTimeout.MaxMs, LossTimeout.For(250, 5000));
        Assert.Equal(1500, LossTimeout.For(1500, 5000)); // a configured wait above the cap stays
    }

    [Fact]
    public void No_or_absurd_round_trip_keeps_the_configured_wait()
    {
        Assert.Equal(250, LossTimeout.For(250, null));
        Assert.Equal(250, LossTimeout.For(250, double.NaN));
        Assert.Equal(250, LossTimeout.For(250, -3));
        Assert.Equal(250, LossTimeout.For(250, double.PositiveInfinity));
    }
}
