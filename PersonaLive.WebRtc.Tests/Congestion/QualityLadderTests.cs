using PersonaLive.WebRtc.Media;

namespace PersonaLive.WebRtc.Tests.Congestion;

/// <summary>
/// The quality ladder: frame rate first, then size, as the target falls; back up only after the target
/// held above the floor with a margin, one step at a time, and never flipping on a wobbling estimate.
/// </summary>
public sealed class QualityLadderTests
{
    [Fact]
    public void Falling_target_lowers_frame_rate_then_resolution()
    {
        var ladder = new QualityLadder(frameRateFloorKbps: 300, resolutionFloorKbps: 220);
        Assert.Equal(0, ladder.Update(1200, 0));
        Assert.Equal((1, 2, 1.0), (ladder.Update(280, 100), ladder.FrameRateDivisor, ladder.Scale));
        Assert.Equal((2, 0.75), (ladder.Update(200, 200), ladder.Scale)); // 512 -> 384
        Assert.Equal((3, 0.5), (ladder.Update(150, 300), ladder.Scale)); // 384 -> 256
        Assert.Equal(3, new QualityLadder(300, 220).Update(100, 0)); // a collapse goes all the way at once
    }

    [Fact]
    public void Recovery_steps_up_one_level_per_hold_and_only_with_margin()
    {
        var ladder = new QualityLadder(300, 220);
        ladder.Update(100, 0);
        long t = 0;
        for (; t <= 10_000; t += 100)
        {
            ladder.Update(250, t); // above 165 x 1.25 = 206, so level 3 -> 2 after the hold; not above 275 for level 2 -> 1
        }

        Assert.Equal(2, ladder.Level);
        for (int step = 0; step <= 20; step++, t += 100)
        {
            ladder.Update(2000, t);
        }

        Assert.Equal(1, ladder.Level); // two seconds of a high target: exactly one step up
        for (int step = 0; step < 60; step++, t += 100)
        {
            ladder.Update(2000, t);
        }

        Assert.Equal(0, ladder.Level);
    }

    [Fact]
    public void A_target_wobbling_around_a_floor_does_not_flip_the_level()
    {
        var ladder = new QualityLadder(300, 220);
        int changes = 0, last = ladder.Level;
        for (long t = 0; t < 20_000; t += 100)
        {
            int level = ladder.Update(t / 100 % 2 == 0 ? 290 : 330, t); // 290..330 around the 300 floor
            changes += level != last ? 1 : 0;
            last = level;
        }

        Assert.Equal(1, changes); // down once, never back up: 330 is under 300 x 1.25
        Assert.Equal(1, ladder.Level);
    }
}
