using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.Media;
using PersonaLive.WebRtc.PeerConnection;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>
/// A NACK is a packet too: on a path that loses 1 % of packets, the first request for a lost packet is
/// itself lost now and then. The receiver echoes each first request one tick later, so the repair arrives
/// one tick late instead of a retry interval (a measured repair time) late: the picture stalls for about
/// one repair time, not two. Deterministic clock, as <see cref="RepairWaitTests"/>.
/// </summary>
public sealed class NackEchoTests
{
    private const byte PayloadType = 96;

    /// <summary>
    /// 20 frames at 25 fps; one packet each of frames 2 and 10 is lost. The sender answers a request
    /// <paramref name="repairMs"/> later (the first one only; repeats within 50 ms are ignored, as the
    /// retransmission budget does), except that the first request for frame 10's packet never reaches it.
    /// Returns (recovered, lost) frames and how long after its first request frame 10's packet arrived.
    /// </summary>
    private static (long Recovered, long Lost, long SecondRepairMs) Play(int repairMs, bool echo)
    {
        var receiver = echo ? new VideoReceiver(Vp8VideoCodec.Instance, new RtcOptions()) : NoEchoReceiver();
        receiver.Enable(Vp8VideoCodec.Instance, PayloadType);
        var stream = RepairWaitTests.Stream(20);
        var lostPackets = new[] { stream.First(p => p.Frame == 2), stream.First(p => p.Frame == 10) };
        var resends = new List<(ushort Seq, long At)>();
        var lastAnswered = new Dictionary<ushort, long>();
        var requests = new Dictionary<ushort, int>();
        var due = new List<ushort>();
        long firstRequest = -1, repaired = -1;
        int next = 0;
        for (long now = 0; now <= 2000; now += 10)
        {
            while (next < stream.Count && stream[next].Frame * 40L <= now)
            {
                if (!lostPackets.Any(l => l.Seq == stream[next].Seq)) receiver.OnRtp(stream[next].Packet, now);
                next++;
            }

            foreach (var (seq, _) in resends.Where(r => r.At <= now).ToList())
            {
                receiver.OnRtp(lostPackets.First(l => l.Seq == seq).Packet, now);
                if (seq == lostPackets[1].Seq && repaired < 0) repaired = now;
            }

            resends.RemoveAll(r => r.At <= now);

            if (now % 20 != 0) continue;
            due.Clear();
            receiver.Tick(now, true, due, 150);
            foreach (var seq in due.Where(s => lostPackets.Any(l => l.Seq == s)))
            {
                int n = requests[seq] = requests.GetValueOrDefault(seq) + 1;
                if (seq == lostPackets[1].Seq && n == 1) firstRequest = now;
                if (seq == lostPackets[1].Seq && n == 1) continue; // this request is lost on the way
                if (lastAnswered.TryGetValue(seq, out long last) && now - last < 50) continue;
                lastAnswered[seq] = now;
                resends.Add((seq, now + repairMs));
            }
        }

        var stats = receiver.AddTo(new PeerConnectionStats());
        return (stats.FramesRecovered, stats.FramesLost, repaired < 0 ? long.MaxValue : repaired - firstRequest);
    }

    private static VideoReceiver NoEchoReceiver() => new(Vp8VideoCodec.Instance, new RtcOptions(), new NackScheduler { EchoAfterMs = 0 });

    [Fact]
    public void A_lost_first_nack_is_covered_by_its_echo_and_the_frame_is_repaired_one_tick_late()
    {
        var (recovered, lost, repairMs) = Play(repairMs: 200, echo: true);
        Assert.Equal(2, recovered);
        Assert.Equal(0, lost);
        Assert.InRange(repairMs, 200, 240);
    }

    [Fact]
    public void Without_the_echo_the_same_lost_nack_costs_a_retry_interval_more()
    {
        // Frame 2's repair sets the measured repair time (200 ms); frame 10's lost request is asked
        // again only a little over that later, and the frame waits (the loss wait covers one retry).
        var (recovered, lost, repairMs) = Play(repairMs: 200, echo: false);
        Assert.Equal(2, recovered);
        Assert.Equal(0, lost);
        Assert.True(repairMs >= 400, $"repaired {repairMs} ms after the first request");
    }
}
