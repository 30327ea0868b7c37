using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.Media;
using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>Frame assembly with reordering and loss, NACK pacing, receive statistics, bitrate control.</summary>
public sealed class ReceivePathTests
{
    private sealed record Pkt(ushort Seq, uint Ts, bool Marker, byte[] Payload);

    /// <summary>Packetizes fake frames (frame 0 a keyframe) into RTP-like packets.</summary>
    private static List<Pkt> Frames(int count, int bytesPerFrame, ushort firstSeq = 65530)
    {
        var packetizer = new Vp8Packetizer(300, 1);
        var list = new List<Pkt>();
        ushort seq = firstSeq;
        var scratch = new byte[400];
        for (int f = 0; f < count; f++)
        {
            var frame = new byte[bytesPerFrame];
            frame[0] = (byte)(f == 0 ? 0x10 : 0x11); // bit 0 clear = keyframe
            frame[1] = (byte)f;
            packetizer.Packetize(frame, scratch, (payload, marker) => list.Add(new Pkt(seq++, (uint)(f * 3000), marker, payload.ToArray())));
        }

        return list;
    }

    [Fact]
    public void Reordered_packets_across_the_sequence_wrap_give_every_frame_in_order()
    {
        var packets = Frames(10, 700);
        (packets[3], packets[5]) = (packets[5], packets[3]);
        (packets[10], packets[11]) = (packets[11], packets[10]);
        var assembler = new Vp8FrameAssembler();
        var output = new List<AssembledFrame>();
        foreach (var p in packets)
        {
            assembler.Insert(p.Seq, p.Ts, p.Marker, p.Payload, false, 0, output);
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(i => (byte)i), output.Select(f => f.Data[1]));
        Assert.True(output[0].IsKeyframe);
        Assert.All(output, f => Assert.Equal(700, f.Data.Length));
        Assert.Equal(0, assembler.LostFrames);
        Assert.False(assembler.KeyframeNeeded);
    }

    [Fact]
    public void A_retransmitted_packet_in_time_completes_its_frame_as_recovered()
    {
        var packets = Frames(4, 700);
        var lost = packets[4];
        var assembler = new Vp8FrameAssembler(lossTimeoutMs: 200);
        var output = new List<AssembledFrame>();
        var missing = new List<ushort>();
        foreach (var p in packets.Where(p => p != lost))
        {
            assembler.Insert(p.Seq, p.Ts, p.Marker, p.Payload, false, 0, output);
        }

        assembler.CollectMissing(missing, 10);
        Assert.Equal([lost.Seq], missing);
        Assert.Single(output); // frames behind the gap wait
        assembler.Insert(lost.Seq, lost.Ts, lost.Marker, lost.Payload, retransmitted: true, 50, output);
        Assert.Equal(4, output.Count);
        Assert.Equal(1, assembler.RecoveredFrames);
    }

    [Fact]
    public void An_unrecovered_loss_skips_to_the_next_keyframe_and_asks_for_one()
    {
        var packets = Frames(6, 700);
        var assembler = new Vp8FrameAssembler(lossTimeoutMs: 100);
        var output = new List<AssembledFrame>();
        foreach (var p in packets.Where((_, i) => i != 4))
        {
            assembler.Insert(p.Seq, p.Ts, p.Marker, p.Payload, false, 0, output);
        }

        assembler.Poll(50, output);
        Assert.Single(output);
        assembler.Poll(200, output);
        Assert.Single(output); // inter frames after the hole are not decodable
        Assert.True(assembler.KeyframeNeeded);
        Assert.True(assembler.LostFrames >= 1);
    }

    [Fact]
    public void Garbage_descriptor_and_duplicates_are_dropped_and_counted()
    {
        var assembler = new Vp8FrameAssembler();
        var output = new List<AssembledFrame>();
        assembler.Insert(1, 0, true, [0x80], false, 0, output); // X set but truncated
        var packets = Frames(1, 100);
        assembler.Insert(packets[0].Seq, 0, true, packets[0].Payload, false, 0, output);
        assembler.Insert(packets[0].Seq, 0, true, packets[0].Payload, false, 0, output);
        Assert.Single(output);
        Assert.Equal(2, assembler.DroppedPackets);
    }

    [Fact]
    public void Nacks_are_retried_at_an_interval_and_capped()
    {
        var nacks = new NackScheduler { RetryIntervalMs = 40, MaxRetries = 3, EchoAfterMs = 0 };
        var due = new List<ushort>();
        nacks.Due([5, 6], 0, due);
        Assert.Equal([5, 6], due);
        due.Clear();
        nacks.Due([5, 6], 20, due);
        Assert.Empty(due);
        nacks.Due([5, 6], 40, due);
        Assert.Equal([5, 6], due);
        nacks.OnReceived(5, 45);
        due.Clear();
        nacks.Due([6], 80, due);
        nacks.Due([6], 120, due);
        Assert.Equal([6], due); // third and last try at 80, none at 120
    }

    [Fact]
    public void Receive_statistics_give_rfc3550_fraction_lost_and_extended_sequence()
    {
        var stats = new RtpReceiveStatistics(7);
        for (int i = 0; i < 100; i++)
        {
            if (i % 10 != 3)
            {
                stats.OnPacket((ushort)(65500 + i), (uint)(i * 3000), i * 33);
            }
        }

        var block = stats.CreateReportBlock(4000);
        Assert.Equal(7u, block.Ssrc);
        Assert.Equal(10, block.CumulativeLost);
        Assert.Equal((byte)(10 * 256 / 100), block.FractionLost);
        Assert.Equal((uint)(65536 + 63), block.ExtendedHighestSequence); // 65500 + 99 wrapped once
    }

    [Fact]
    public void Bitrate_follows_loss_and_remb_within_bounds()
    {
        var bwe = new BandwidthController(1000, 200, 2000);
        Assert.Equal(850, bwe.OnReceiverReport(0.2));
        Assert.Equal(918, bwe.OnReceiverReport(0.0)); // + 8 %
        Assert.Equal(918, bwe.OnReceiverReport(0.05)); // held: the smoothed loss is 4.4 %
        Assert.Equal(991, bwe.OnReceiverReport(0.0));
        Assert.Equal(1070, bwe.OnReceiverReport(0.0));
        Assert.Equal(1155, bwe.OnReceiverReport(0.0));
        Assert.Equal(1293, bwe.OnReceiverReport(0.03)); // 3 % once after clean reports (smoothed 1.97 %) is random loss: + 12 %, growth speeding up
        Assert.Equal(500, bwe.OnRemb(500_000));
        Assert.Equal(500, bwe.OnReceiverReport(0.0)); // REMB caps the increase
        Assert.Equal(200, bwe.OnRemb(10_000)); // never below the floor
        for (int i = 0; i < 50; i++)
        {
            bwe.OnReceiverReport(0.5);
        }

        Assert.Equal(200, bwe.TargetKbps);
        bwe.OnRemb(100_000_000);
        for (int i = 0; i < 100; i++)
        {
            bwe.OnReceiverReport(0);
        }

        Assert.Equal(2000, bwe.TargetKbps);
    }

    [Fact]
    public void Ntp_and_90khz_mapping_round_trips()
    {
        ulong ntp = NtpTime.FromDateTime(new DateTime(2026, 11, 24, 0, 0, 0, DateTimeKind.Utc));
        ulong later = NtpTime.Add90kHz(ntp, 90000);
        Assert.Equal(1.0, (NtpTime.ToDateTime(later) - NtpTime.ToDateTime(ntp)).TotalSeconds, 3);
        Assert.Equal(90000UL, NtpTime.To90kHz(later) - NtpTime.To90kHz(ntp));
        Assert.Equal(ntp, NtpTime.Add90kHz(later, -90000), (IEqualityComparer<ulong>)EqualityComparer<ulong>.Create((a, b) => Math.Abs((long)(a - b)) < 100000));
    }
}

/// <summary>Losing the very first packets of a stream: they are NACKed, not waited out with a PLI.</summary>
public sealed class FirstFrameRecoveryTests
{
    [Fact]
    public void Missing_start_of_the_first_keyframe_is_requested_and_completes_the_frame()
    {
        var packetizer = new Vp8Packetizer(300, 1);
        var packets = new List<(ushort Seq, bool Marker, byte[] Payload)>();
        ushort seq = 100;
        var scratch = new byte[400];
        var key = new byte[1000];
        key[0] = 0x10;
        packetizer.Packetize(key, scratch, (p, m) => packets.Add((seq++, m, p.ToArray())));
        var assembler = new Vp8FrameAssembler(lossTimeoutMs: 500);
        var output = new List<AssembledFrame>();
        foreach (var p in packets.Skip(2))
        {
            assembler.Insert(p.Seq, 0, p.Marker, p.Payload, false, 0, output);
        }

        var missing = new List<ushort>();
        assembler.CollectMissing(missing, 10);
        Assert.Contains((ushort)101, missing);
        assembler.Insert(packets[1].Seq, 0, packets[1].Marker, packets[1].Payload, true, 10, output);
        missing.Clear();
        assembler.CollectMissing(missing, 10);
        Assert.Contains((ushort)100, missing);
        assembler.Insert(packets[0].Seq, 0, packets[0].Marker, packets[0].Payload, true, 20, output);
        Assert.Single(output);
        Assert.True(output[0].IsKeyframe);
        Assert.Equal(1000, output[0].Data.Length);
        Assert.Equal(0, assembler.LostFrames);
    }
}

/// <summary>Padding-only RTP packets (Chrome's bandwidth probes) between frames are not losses.</summary>
public sealed class PaddingPacketTests
{
    [Fact]
    public void Padding_packets_between_frames_are_consumed_without_loss()
    {
        var packetizer = new Vp8Packetizer(300, 1);
        var assembler = new Vp8FrameAssembler(lossTimeoutMs: 100);
        var output = new List<AssembledFrame>();
        ushort seq = 500;
        var scratch = new byte[400];
        for (int f = 0; f < 5; f++)
        {
            var frame = new byte[500];
            frame[0] = (byte)(f == 0 ? 0x10 : 0x11);
            uint ts = (uint)(f * 3000);
            packetizer.Packetize(frame, scratch, (p, m) => assembler.Insert(seq++, ts, m, p, false, f * 33, output));
            for (int k = 0; k < 3; k++)
            {
                assembler.Insert(seq++, ts, false, ReadOnlySpan<byte>.Empty, false, f * 33, output); // probe
            }
        }

        assembler.Poll(10_000, output);
        Assert.Equal(5, output.Count);
        Assert.Equal(0, assembler.LostFrames);
        Assert.False(assembler.KeyframeNeeded);
    }
}
