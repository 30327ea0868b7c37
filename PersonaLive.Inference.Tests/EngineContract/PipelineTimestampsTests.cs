using PersonaLive.Inference.Engines;

namespace PersonaLive.Inference.Tests.EngineContract;

/// <summary>Outputs of a delayed pipeline carry the capture time of the input that drove them, never a later one.</summary>
public sealed class PipelineTimestampsTests
{
    [Fact]
    public void Each_output_carries_the_time_of_the_input_delay_frames_back_after_a_flagged_warm_up()
    {
        var t = new PipelineTimestamps(delayFrames: 3);
        var left = new List<(long, bool)>();
        for (var call = 0; call < 4; call++)
        {
            for (var i = 0; i < 2; i++) t.Enter(100 * (call * 2 + i + 1));
            for (var i = 0; i < 2; i++) left.Add(t.Leave());
        }
        Assert.Equal([(100L, true), (100L, true), (100L, true), (100L, false), (200L, false), (300L, false), (400L, false), (500L, false)], left);
    }

    [Fact]
    public void Reset_starts_a_new_warm_up_from_the_next_input()
    {
        var t = new PipelineTimestamps(delayFrames: 1);
        t.Enter(10); t.Leave();
        t.Enter(20); Assert.Equal((10L, false), t.Leave());
        t.Reset();
        t.Enter(30); Assert.Equal((30L, true), t.Leave());
        t.Enter(40); Assert.Equal((30L, false), t.Leave());
    }

    [Fact]
    public void Without_delay_every_output_carries_its_own_input_time()
    {
        var t = new PipelineTimestamps(delayFrames: 0);
        t.Enter(7);
        Assert.Equal((7L, false), t.Leave());
        Assert.Throws<InvalidOperationException>(() => new PipelineTimestamps(2).Leave());
    }
}
