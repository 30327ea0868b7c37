using PersonaLive.WebRtc.Media.Pacing;

namespace PersonaLive.WebRtc.Tests.Congestion;

/// <summary>
/// The pacer on a fake clock: a frame's packets leave spread at the pacing factor times the target
/// rate instead of in one burst, the first ones of a frame on an idle path leave at once, and a queue
/// that waits past its limit is dropped for a keyframe instead of growing.
/// </summary>
public sealed class PacketPacerTests
{
    private readonly List<(long AtUs, ushort Sequence, int Length)> _sent = new();
    private long _now;

    private void Sink(ReadOnlySpan<byte> payload, in PacedPacket packet) => _sent.Add((_now, packet.Sequence, payload.Length));

    /// <summary>Drains every millisecond until <paramref name="untilUs"/>; returns whether any drain asked for a keyframe.</summary>
    private bool RunUntil(PacketPacer pacer, long untilUs)
    {
        bool keyframe = false;
        for (; _now <= untilUs; _now += 1000)
        {
            keyframe |= pacer.Drain(_now, Sink);
        }

        return keyframe;
    }

    private static void EnqueueFrame(PacketPacer pacer, ref ushort sequence, int packets, int size, long nowUs)
    {
        var payload = new byte[size];
        for (int i = 0; i < packets; i++)
        {
            payload[0] = (byte)i;
            Assert.True(pacer.Enqueue(payload, new PacedPacket(sequence++, 0, 96, i == packets - 1, nowUs)));
        }
    }

    [Fact]
    public void A_frame_leaves_spread_at_the_pacing_rate_not_in_one_burst()
    {
        var pacer = new PacketPacer(256, pacingFactor: 2.5, maxQueueDelayUs: 400_000);
        pacer.SetTargetKbps(1000); // pacing at 2500 kb/s = 312.5 bytes per ms
        ushort seq = 0;
        EnqueueFrame(pacer, ref seq, packets: 20, size: 1000, nowUs: 0); // 20 kB, a keyframe-sized burst
        Assert.False(RunUntil(pacer, 200_000));

        Assert.Equal(20, _sent.Count);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (ushort)i), _sent.Select(s => s.Sequence)); // FIFO
        double spanMs = (_sent[^1].AtUs - _sent[0].AtUs) / 1000.0;
        double expectedMs = 20_000 * 8 / 2500.0; // 64 ms at 2.5 x 1 Mbit/s
        Assert.InRange(spanMs, expectedMs * 0.8, expectedMs * 1.1);
        Assert.True(_sent.Count(s => s.AtUs == 0) <= 2, "more than the burst allowance left at once");

        // Over any 20 ms window the rate stays near 2.5 x the target, never the line rate of a burst.
        for (long from = 0; from + 20_000 <= _sent[^1].AtUs; from += 5_000)
        {
            int bytes = _sent.Where(s => s.AtUs >= from && s.AtUs < from + 20_000).Sum(s => s.Length);
            Assert.InRange(bytes * 8 / 20.0, 0, 2500 * 1.3);
        }
    }

    [Fact]
    public void A_small_frame_on_an_idle_path_starts_at_once()
    {
        var pacer = new PacketPacer(256, 2.5, 400_000);
        pacer.SetTargetKbps(1000);
        ushort seq = 0;
        _now = 1_000_000;
        EnqueueFrame(pacer, ref seq, packets: 1, size: 1000, nowUs: _now);
        pacer.Drain(_now, Sink);
        Assert.Single(_sent);
        Assert.Equal(1_000_000, _sent[0].AtUs);
        Assert.Equal(-1, pacer.NextSendInUs(_now));
    }

    [Fact]
    public void Next_send_time_follows_the_budget_debt()
    {
        var pacer = new PacketPacer(256, 2.0, 400_000);
        pacer.SetTargetKbps(400); // 800 kb/s pacing = 100 bytes per ms
        ushort seq = 0;
        EnqueueFrame(pacer, ref seq, packets: 3, size: 1000, nowUs: 0);
        pacer.Drain(0, Sink); // the 500-byte burst allowance lets one out, 500 bytes of debt left
        Assert.Single(_sent);
        Assert.InRange(pacer.NextSendInUs(0), 4_000, 6_000);
        Assert.Equal(800, pacer.PacingKbps, 3);
    }

    [Fact]
    public void A_queue_older_than_the_limit_is_dropped_for_a_keyframe()
    {
        var pacer = new PacketPacer(256, 2.5, maxQueueDelayUs: 400_000);
        pacer.SetTargetKbps(100); // the encoder overshoots a collapsed estimate by far
        ushort seq = 0;
        bool keyframe = false;
        for (int frame = 0; frame < 60; frame++) // two seconds of 30 fps, 4 kB per frame = 1 Mbit/s into 250 kb/s pacing
        {
            EnqueueFrame(pacer, ref seq, packets: 4, size: 1000, nowUs: _now);
            keyframe |= RunUntil(pacer, _now + 33_000);
            Assert.InRange(pacer.QueueDelayUs(_now), 0, 400_000 + 1_000);
        }

        Assert.True(keyframe);
        Assert.True(pacer.Flushes >= 1);
        Assert.True(pacer.Dropped > 0);
    }

    [Fact]
    public void Late_drains_with_packets_waiting_still_send_at_the_pacing_rate()
    {
        // The pacing timer and its thread-pool hop came every 20 ms on a busy 2-core host (1 ms when idle).
        // The time between two late drains is owed to the packets that waited: 30 fps of 5.8 kB frames
        // (1.4 Mbit/s, a 512x512 lite session) must leave at 2.5 x 1400 kb/s, not at the burst allowance
        // per drain (three packets, 2.9 kB, every 20 ms = 1.2 Mbit/s), which grew the queue past its limit and flushed it.
        var pacer = new PacketPacer(256, pacingFactor: 2.5, maxQueueDelayUs: 400_000);
        pacer.SetTargetKbps(1400);
        ushort seq = 0;
        long maxDelayUs = 0;
        bool keyframe = false;
        for (int frame = 0; frame < 90; frame++)
        {
            long frameAt = frame * 33_333L;
            for (; _now < frameAt; _now += 20_000)
            {
                keyframe |= pacer.Drain(_now, Sink);
                maxDelayUs = Math.Max(maxDelayUs, pacer.QueueDelayUs(_now));
            }

            EnqueueFrame(pacer, ref seq, packets: 6, size: 970, nowUs: frameAt);
        }

        Assert.False(keyframe, "the queue was flushed");
        Assert.Equal(0, pacer.Flushes);
        Assert.InRange(maxDelayUs, 0, 45_000); // a frame waits for the next late drain, not for a backlog
        Assert.InRange(_sent.Count, 89 * 6, 90 * 6);
    }

    [Fact]
    public void After_an_idle_gap_only_the_burst_allowance_leaves_at_once_even_when_the_drain_is_late()
    {
        var pacer = new PacketPacer(256, pacingFactor: 2.5, maxQueueDelayUs: 400_000);
        pacer.SetTargetKbps(1000); // 312.5 bytes per ms, 1562 bytes of burst allowance
        ushort seq = 0;
        EnqueueFrame(pacer, ref seq, packets: 1, size: 1000, nowUs: 0);
        pacer.Drain(0, Sink); // the queue empties: the path is idle from here
        _now = 500_000;
        EnqueueFrame(pacer, ref seq, packets: 20, size: 1000, nowUs: _now);
        pacer.Drain(_now, Sink); // half a second of idle time buys no more than the allowance
        Assert.InRange(_sent.Count, 2, 3);
    }

    [Fact]
    public void A_full_queue_or_an_oversized_payload_is_dropped_and_counted()
    {
        var pacer = new PacketPacer(4, 2.5, 400_000);
        ushort seq = 0;
        EnqueueFrame(pacer, ref seq, 4, 100, 0);
        Assert.False(pacer.Enqueue(new byte[100], new PacedPacket(9, 0, 96, true, 0)));
        Assert.False(new PacketPacer(4, 2.5, 400_000).Enqueue(new byte[PacketPacer.SlotSize + 1], default));
        Assert.Equal(1, pacer.Dropped);
        Assert.Equal(4, pacer.Count);
        Assert.Equal(400, pacer.QueuedBytes);
    }
}
