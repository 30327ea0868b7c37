using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.Vp8;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>Delivered + lost frames equals frames sent, whatever was lost (PictureID-based accounting).</summary>
public sealed class FrameLossAccountingTests
{
    private sealed record Pkt(ushort Seq, uint Ts, bool Marker, byte[] Payload, int Frame);

    /// <summary>Frames of 700 bytes (3 packets each with a 300-byte MTU), frame 0 a keyframe; optional padding after a frame.</summary>
    private static List<Pkt> Stream(int frames, int paddingAfterFrame = -1)
    {
        var packetizer = new Vp8Packetizer(300, 0x7FFE); // the 15-bit PictureID wraps inside the stream
        var list = new List<Pkt>();
        ushort seq = 65533;
        var scratch = new byte[400];
        for (int f = 0; f < frames; f++)
        {
            var frame = new byte[700];
            frame[0] = (byte)(f == 0 ? 0x10 : 0x11);
            packetizer.Packetize(frame, scratch, (p, m) => list.Add(new Pkt(seq++, (uint)(f * 3000), m, p.ToArray(), f)));
            if (f == paddingAfterFrame)
            {
                list.Add(new Pkt(seq++, (uint)(f * 3000), false, [], -1));
            }
        }

        return list;
    }

    private static (int Delivered, long Lost) Run(IEnumerable<Pkt> packets)
    {
        var assembler = new Vp8FrameAssembler(lossTimeoutMs: 100);
        var output = new List<AssembledFrame>();
        long now = 0;
        foreach (var p in packets)
        {
            assembler.Insert(p.Seq, p.Ts, p.Marker, p.Payload, false, now += 5, output);
        }

        assembler.Poll(now + 1000, output);
        return (output.Count, assembler.LostFrames);
    }

    [Fact]
    public void Frames_that_vanished_without_a_single_packet_are_counted_from_the_picture_id_gap()
    {
        var packets = Stream(6).Where(p => p.Frame is not (2 or 3)).ToList(); // two whole frames never arrive
        var (delivered, lost) = Run(packets);
        Assert.Equal(2, delivered); // frames 0 and 1; 4 and 5 are inter frames after the hole
        Assert.Equal(4, lost);      // 2 and 3 (vanished) + 4 and 5 (undecodable without a keyframe)
    }

    [Fact]
    public void A_partial_frame_loss_counts_once_and_the_undecodable_rest_each()
    {
        var stream = Stream(5);
        var packets = stream.Where(p => p != stream.First(q => q.Frame == 2)).ToList(); // frame 2 lost its start
        var (delivered, lost) = Run(packets);
        Assert.Equal(2, delivered);
        Assert.Equal(3, lost);
    }

    [Fact]
    public void A_lost_padding_packet_costs_no_frame_in_the_count()
    {
        var packets = Stream(5, paddingAfterFrame: 1).Where(p => p.Frame != -1).ToList();
        var (delivered, lost) = Run(packets);
        Assert.Equal(5, delivered + lost);
        Assert.Equal(2, delivered);
    }

    [Fact]
    public void Counter_adds_the_frames_a_picture_id_gap_hides_and_handles_both_widths()
    {
        var counter = new PictureIdLossCounter();
        counter.OnFrame(0x7FFE, longPictureId: true);
        counter.OnGaveUp();
        counter.OnFrame(0x0002, longPictureId: true); // 0x7FFF, 0x0000, 0x0001 missing
        Assert.Equal(3, counter.Lost);
        counter.OnFrame(0x7F, longPictureId: false);  // back-jump from 0x0002 in the 7-bit space: too far, not trusted
        counter.OnFrame(0x01, longPictureId: false);  // 0x00 missing (7-bit wrap)
        Assert.Equal(4, counter.Lost);
        counter.OnFrame(-1, false);                   // no PictureID: give-ups count once each
        counter.OnGaveUp();
        counter.OnFrame(-1, false);
        Assert.Equal(5, counter.Lost);
    }
}

/// <summary>A stream whose very first keyframe vanished: the receiver NACKs backwards instead of waiting for PLI.</summary>
public sealed class LostFirstKeyframeTests
{
    [Fact]
    public void A_stream_starting_with_an_inter_frame_asks_for_the_packet_before_it_and_recovers_the_keyframe()
    {
        var packetizer = new Vp8Packetizer(1100, 10);
        var packets = new List<(ushort Seq, byte[] Payload)>();
        ushort seq = 500;
        var scratch = new byte[1200];
        for (int f = 0; f < 4; f++)
        {
            var frame = new byte[200];
            frame[0] = (byte)(f == 0 ? 0x10 : 0x11); // one packet each; frame 0 the keyframe
            packetizer.Packetize(frame, scratch, (p, _) => packets.Add((seq++, p.ToArray())));
        }

        var assembler = new Vp8FrameAssembler(lossTimeoutMs: 250);
        var output = new List<AssembledFrame>();
        foreach (var p in packets.Skip(1))
        {
            assembler.Insert(p.Seq, (uint)p.Seq, true, p.Payload, false, 0, output);
        }

        Assert.Empty(output); // inter frames wait behind the hole instead of being thrown away
        var missing = new List<ushort>();
        assembler.CollectMissing(missing, 10);
        Assert.Equal([(ushort)500], missing);
        assembler.Insert(500, 500, true, packets[0].Payload, retransmitted: true, 30, output);
        Assert.Equal(4, output.Count);
        Assert.True(output[0].IsKeyframe);
        Assert.Equal(0, assembler.LostFrames);
    }

    [Fact]
    public void When_the_keyframe_never_comes_the_frames_are_given_up_and_counted_after_the_timeout()
    {
        var packetizer = new Vp8Packetizer(1100, 10);
        var assembler = new Vp8FrameAssembler(lossTimeoutMs: 100);
        var output = new List<AssembledFrame>();
        var scratch = new byte[1200];
        ushort seq = 501;
        for (int f = 1; f < 4; f++)
        {
            var frame = new byte[200];
            frame[0] = 0x11;
            packetizer.Packetize(frame, scratch, (p, _) => assembler.Insert(seq++, (uint)f, true, p, false, 0, output));
        }

        assembler.Poll(50, output);
        Assert.Equal(0, assembler.LostFrames);
        assembler.Poll(200, output);
        Assert.Empty(output);
        Assert.Equal(4, assembler.LostFrames); // the missing keyframe + three undecodable inter frames
        Assert.True(assembler.KeyframeNeeded);
    }
}
