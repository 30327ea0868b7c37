using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.Vp8;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>
/// How fast the VP8 assembler gets back to decodable video after a loss burst whose retransmissions
/// never come (a congested uplink drops them, or the sender's budget skips them): the frames damaged by
/// the burst may not each cost a loss timeout before the keyframe behind them is handed out.
/// </summary>
public sealed class FrameAssemblyRecoveryTests
{
    private sealed record Pkt(ushort Seq, uint Ts, bool Marker, byte[] Payload, int Frame, bool Last);

    private const int TimeoutMs = 250;

    /// <summary>Frames of 700 bytes (3 packets with a 300-byte MTU); the frames in <paramref name="keyframes"/> are keyframes.</summary>
    private static List<Pkt> Stream(int frames, params int[] keyframes)
    {
        var packetizer = new Vp8Packetizer(300, 100);
        var list = new List<Pkt>();
        ushort seq = 1000;
        var scratch = new byte[400];
        for (int f = 0; f < frames; f++)
        {
            var frame = new byte[700];
            frame[0] = (byte)(keyframes.Contains(f) ? 0x10 : 0x11);
            packetizer.Packetize(frame, scratch, (p, m) => list.Add(new Pkt(seq++, (uint)(f * 3000), m, p.ToArray(), f, m)));
        }

        return list;
    }

    /// <summary>Inserts the packets as they arrive at 25 frames a second (frame f at 40 f ms).</summary>
    private static Vp8FrameAssembler Feed(IEnumerable<Pkt> packets, List<AssembledFrame> output)
    {
        var assembler = new Vp8FrameAssembler(TimeoutMs);
        foreach (var p in packets)
        {
            assembler.Insert(p.Seq, p.Ts, p.Marker, p.Payload, false, p.Frame * 40L, output);
        }

        return assembler;
    }

    [Fact]
    public void A_keyframe_behind_ten_damaged_frames_is_delivered_when_it_arrives_not_ten_timeouts_later()
    {
        // Keyframe 0, inter frames 1..10 each missing their last packet for good, keyframe 11 complete.
        var packets = Stream(13, 0, 11).Where(p => !(p.Frame is >= 1 and <= 10 && p.Last)).ToList();
        var output = new List<AssembledFrame>();
        var assembler = Feed(packets, output);
        assembler.Poll(12 * 40 + 10, output);

        Assert.Contains(output, f => f.IsKeyframe && f.RtpTimestamp == 11 * 3000);
        Assert.Contains(output, f => f.RtpTimestamp == 12 * 3000);
        output.ForEach(f => f.Release());
    }

    [Fact]
    public void While_a_keyframe_is_awaited_damaged_inter_frames_cost_no_further_timeout()
    {
        // Keyframe 0, inter frames 1..8 each missing their last packet; no keyframe buffered yet.
        var packets = Stream(9, 0).Where(p => !(p.Frame >= 1 && p.Last)).ToList();
        var output = new List<AssembledFrame>();
        var assembler = Feed(packets, output);
        assembler.Poll(40 + TimeoutMs + 10, output); // frame 1 given up: a keyframe is needed now
        Assert.True(assembler.KeyframeNeeded);

        // The answer to the PLI arrives a moment later, behind the seven damaged inter frames.
        var key = Stream(10, 9).Where(p => p.Frame == 9).ToList();
        foreach (var p in key)
        {
            assembler.Insert(p.Seq, p.Ts, p.Marker, p.Payload, false, 40 + TimeoutMs + 20, output);
        }

        Assert.Contains(output, f => f.IsKeyframe && f.RtpTimestamp == 9 * 3000);
        output.ForEach(f => f.Release());
    }

    [Fact]
    public void A_frame_missing_a_packet_still_waits_for_its_retransmission_when_nothing_newer_helps()
    {
        var stream = Stream(4, 0);
        var lost = stream.First(p => p.Frame == 1 && p.Last);
        var output = new List<AssembledFrame>();
        var assembler = Feed(stream.Where(p => p != lost), output);
        assembler.Poll(40 + TimeoutMs - 10, output);
        Assert.Single(output);

        assembler.Insert(lost.Seq, lost.Ts, lost.Marker, lost.Payload, true, 40 + TimeoutMs - 5, output); // the retransmission

        Assert.Equal(4, output.Count);
        Assert.Equal(0, assembler.LostFrames);
        output.ForEach(f => f.Release());
    }
}
