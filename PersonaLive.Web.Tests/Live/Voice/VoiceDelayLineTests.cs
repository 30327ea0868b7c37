using PersonaLive.Web.Live.Voice;

namespace PersonaLive.Web.Tests.Live.Voice;

/// <summary>The voice delay rule: due at arrival + delay, never before the packet ahead, bounded.</summary>
public sealed class VoiceDelayLineTests
{
    [Fact]
    public void A_packet_is_due_exactly_its_delay_after_arrival_and_not_before()
    {
        var line = new VoiceDelayLine<int>(10);
        Assert.Equal(1150, line.Push(1, arrival: 1000, delay: 150));
        var due = new List<int>();
        line.TakeDue(1149, due);
        Assert.Empty(due);
        Assert.Equal(1150, line.NextDue);
        line.TakeDue(1150, due);
        Assert.Equal([1], due);
        Assert.Null(line.NextDue);
    }

    [Fact]
    public void A_shrinking_delay_never_reorders_speech_and_a_growing_one_applies_at_once()
    {
        var line = new VoiceDelayLine<int>(10);
        line.Push(1, arrival: 0, delay: 300);
        Assert.Equal(300, line.Push(2, arrival: 20, delay: 100)); // would be 120: held behind packet 1
        Assert.Equal(340, line.Push(3, arrival: 40, delay: 300));
        Assert.Equal(340, line.Push(4, arrival: 60, delay: -50)); // a negative delay counts as none
        var due = new List<int>();
        line.TakeDue(1000, due);
        Assert.Equal([1, 2, 3, 4], due);
    }

    [Fact]
    public void A_full_line_drops_the_oldest_and_counts_it()
    {
        var line = new VoiceDelayLine<int>(3);
        for (int i = 0; i < 5; i++)
        {
            line.Push(i, arrival: i * 20, delay: 1000);
        }

        Assert.Equal(2, line.Dropped);
        Assert.Equal(3, line.Count);
        var due = new List<int>();
        line.TakeDue(long.MaxValue, due);
        Assert.Equal([2, 3, 4], due);
    }

    [Fact]
    public void A_due_packet_waits_for_its_face_but_never_past_its_slack()
    {
        var line = new VoiceDelayLine<int>(10);
        line.Push(1, arrival: 0, delay: 100, slack: 400);
        line.Push(2, arrival: 20, delay: 100, slack: 400);
        var due = new List<int>();
        bool faceLeft = false;
        line.TakeDue(99, due, _ => true);
        Assert.Empty(due); // never before the base delay, ready or not
        line.TakeDue(300, due, _ => faceLeft);
        Assert.Empty(due); // due, but its face has not left yet
        Assert.Equal(500, line.NextWake(300)); // then it goes at its latest time at most
        faceLeft = true;
        line.TakeDue(301, due, p => faceLeft && p == 1);
        Assert.Equal([1], due); // packet 2 is not ready: it stays, in order
        line.TakeDue(520, due, _ => false);
        Assert.Equal([1, 2], due); // slack over: it goes anyway
    }
}
