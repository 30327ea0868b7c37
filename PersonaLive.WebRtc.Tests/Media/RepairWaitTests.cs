using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.Media;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>
/// The receiver waits for a NACK retransmission as long as repairs on this path take (measured repair
/// time, RTCP round trip), not a fixed 250 ms: on a 100 ms path with a queue the repair needs more, and
/// a frame given up a moment before it arrives costs a keyframe and a freeze. Deterministic clock:
/// packets and timer ticks are fed with explicit times.
/// </summary>
public sealed class RepairWaitTests
{
    private const byte PayloadType = 96;

    /// <summary>RTP packets of <paramref name="frames"/> VP8 frames of 700 bytes (3 packets each), frame 0 a keyframe.</summary>
    internal static List<(ushort Seq, int Frame, byte[] Packet)> Stream(int frames)
    {
        var packetizer = new Vp8Packetizer(300, 7);
        var list = new List<(ushort, int, byte[])>();
        ushort seq = 500;
        var scratch = new byte[400];
        for (int f = 0; f < frames; f++)
        {
            var frame = new byte[700];
            frame[0] = (byte)(f == 0 ? 0x10 : 0x11);
            packetizer.Packetize(frame, scratch, (payload, marker) =>
            {
                var packet = new byte[RtpHeader.FixedLength + payload.Length];
                int n = RtpHeader.Write(packet, marker, PayloadType, seq, (uint)(f * 3600), 0x1234);
                payload.CopyTo(packet.AsSpan(n));
                list.Add((seq++, f, packet));
            });
        }

        return list;
    }

    /// <summary>
    /// Plays 12 frames at 25 fps with one packet of frame 2 lost; its retransmission arrives
    /// <paramref name="repairMs"/> after the first NACK for it. Returns (recovered, lost) frames.
    /// </summary>
    private static (long Recovered, long Lost) Play(double roundTripMs, int repairMs, NackScheduler? nacks = null, bool firstResendLost = false)
    {
        var receiver = new VideoReceiver(Vp8VideoCodec.Instance, new RtcOptions(), nacks);
        receiver.Enable(Vp8VideoCodec.Instance, PayloadType);
        var stream = Stream(12);
        var lost = stream.First(p => p.Frame == 2);
        long resendAt = long.MaxValue, firstRequestAt = -1;
        var due = new List<ushort>();
        int next = 0;
        for (long now = 0; now <= 1500; now += 10)
        {
            while (next < stream.Count && stream[next].Frame * 40L <= now)
            {
                if (stream[next].Seq != lost.Seq) receiver.OnRtp(stream[next].Packet, now);
                next++;
            }

            if (now >= resendAt)
            {
                receiver.OnRtp(lost.Packet, now);
                resendAt = long.MaxValue - 1;
            }

            if (now % 20 == 0)
            {
                due.Clear();
                receiver.Tick(now, true, due, roundTripMs);
                if (due.Contains(lost.Seq) && resendAt == long.MaxValue)
                {
                    firstRequestAt = firstRequestAt < 0 ? now : firstRequestAt;
                    // A lost first resend: the sender answers a number once per 50 ms, so only a later request gets the packet through.
                    if (!firstResendLost || now - firstRequestAt >= 50) resendAt = now + repairMs;
                }
            }
        }

        var stats = receiver.AddTo(new PeerConnectionStats());
        return (stats.FramesRecovered, stats.FramesLost);
    }

    [Fact]
    public void A_repair_that_needs_the_round_trip_plus_a_queue_completes_its_frame()
    {
        var (recovered, lost) = Play(roundTripMs: 260, repairMs: 320);
        Assert.Equal(0, lost);
        Assert.Equal(1, recovered);
    }

    [Fact]
    public void A_repair_slower_than_the_last_round_trip_by_half_still_completes_its_frame()
    {
        // The RTCP round trip is up to a second old; a queue that grew since makes the repair slower.
        var (recovered, lost) = Play(roundTripMs: 200, repairMs: 330);
        Assert.Equal(0, lost);
        Assert.Equal(1, recovered);
    }

    [Fact]
    public void A_lost_resend_is_asked_for_again_and_the_retry_completes_the_frame_before_it_is_given_up()
    {
        // Repairs on this path take 200 ms; the first resend is lost, the receiver asks again after a
        // little over one repair time and that resend needs another 200 ms: the frame must still be waiting.
        var nacks = new NackScheduler();
        var due = new List<ushort>();
        nacks.Due([5], 0, due);
        nacks.OnReceived(5, 200);
        var (recovered, lost) = Play(roundTripMs: 150, repairMs: 200, nacks, firstResendLost: true);
        Assert.Equal(0, lost);
        Assert.Equal(1, recovered);
        Assert.True(FrameLossWait.TimeoutMs(250, 200, 150) > nacks.EffectiveRetryMs + 200);
    }

    [Fact]
    public void On_a_short_path_a_repair_that_never_comes_is_given_up_after_the_configured_wait()
    {
        var (recovered, lost) = Play(roundTripMs: 40, repairMs: 100_000);
        Assert.Equal(0, recovered);
        Assert.True(lost >= 1);
        Assert.Equal(250, FrameLossWait.TimeoutMs(250, 0, 40));
    }

    [Fact]
    public void The_retry_interval_follows_the_measured_repair_so_a_slow_path_is_not_asked_twice_per_round_trip()
    {
        var nacks = new NackScheduler { EchoAfterMs = 0 };
        var due = new List<ushort>();
        nacks.Due([5], 0, due);
        nacks.OnReceived(5, 300); // answered after 300 ms
        Assert.Equal(300, nacks.RepairMs);

        due.Clear();
        nacks.Due([9], 1000, due);
        Assert.Equal([9], due);
        due.Clear();
        nacks.Due([9], 1100, due);
        nacks.Due([9], 1300, due);
        Assert.Empty(due); // a 40 ms interval would have asked five more times by now
        nacks.Due([9], 1000 + nacks.EffectiveRetryMs, due);
        Assert.Equal([9], due);
        Assert.InRange(FrameLossWait.TimeoutMs(250, nacks.RepairMs, 100), 780, 820);
        Assert.Equal(FrameLossWait.MaxMs, FrameLossWait.TimeoutMs(250, 5000, null));
    }
}
