using PersonaLive.WebRtc.Codecs;
using System.Globalization;
using PersonaLive.WebRtc.Codecs.OpenH264;
using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.Rtp.H264;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>
/// RFC 6184 packetisation both ways: our packetiser (modes 0 and 1) into our assembler and OpenH264,
/// GStreamer's packetiser output into our assembler, and loss, reordering and parameter-set handling.
/// </summary>
public sealed class H264RtpTests
{
    internal sealed record Packet(ushort Seq, uint Ts, bool Marker, byte[] Payload);

    internal static List<Packet> Packetise(H264Packetiser packetiser, IEnumerable<(byte[] Data, uint Ts)> frames, ushort firstSeq = 100)
    {
        var packets = new List<Packet>();
        var scratch = new byte[packetiser.MaxPayloadSize];
        ushort seq = firstSeq;
        foreach (var (data, ts) in frames)
        {
            packetiser.Packetize(data, scratch, (payload, marker) => packets.Add(new Packet(seq++, ts, marker, payload.ToArray())));
        }

        return packets;
    }

    private static List<(byte[] Data, uint Ts, bool Idr)> EncodeClip(int count, int maxNalSize = 0, params int[] idrAt)
    {
        using var encoder = new H264Encoder(new H264EncoderOptions { Width = 320, Height = 240, BitrateKbps = 1500, MaxNalSize = maxNalSize });
        var frames = new List<(byte[], uint, bool)>();
        for (int i = 0; i < count; i++)
        {
            var e = encoder.Encode(H264CodecTests.MovingTexture(i), i * 3000L, idrAt.Contains(i)).Single();
            frames.Add((e.Data, (uint)(i * 3000), e.IsKeyframe));
        }

        return frames;
    }

    private static List<AssembledFrame> Feed(H264AccessUnitAssembler assembler, IEnumerable<Packet> packets, long nowMs = 0)
    {
        var output = new List<AssembledFrame>();
        foreach (var p in packets)
        {
            assembler.Insert(p.Seq, p.Ts, p.Marker, p.Payload, false, nowMs, output);
        }

        return output;
    }

    [Fact]
    public void Mode_1_uses_stap_a_and_fu_a_and_round_trips_byte_exact_into_the_decoder()
    {
        H264CodecTests.SkipWithoutOpenH264();
        var clip = EncodeClip(10);
        var packets = Packetise(new H264Packetiser(1, 1000), clip.Select(f => (f.Data, f.Ts)));
        Assert.All(packets, p => Assert.True(p.Payload.Length <= 1000));
        Assert.Equal(H264Nal.StapA, H264Nal.TypeOf(packets[0].Payload[0]));             // SPS + PPS aggregated
        Assert.Contains(packets, p => H264Nal.TypeOf(p.Payload[0]) == H264Nal.FuA);       // the IDR is larger than one packet
        Assert.Equal(clip.Count, packets.Count(p => p.Marker));
        Assert.All(packets.GroupBy(p => p.Ts), g => Assert.True(g.Last().Marker && g.Count(p => p.Marker) == 1));

        var assembler = new H264AccessUnitAssembler();
        var frames = Feed(assembler, packets);
        Assert.Equal(clip.Select(f => f.Data), frames.Select(f => f.Data.ToArray()));
        Assert.Equal(clip.Select(f => f.Idr), frames.Select(f => f.IsKeyframe));
        Assert.False(assembler.KeyframeNeeded);
        Assert.Equal(0, assembler.LostFrames + assembler.DroppedPackets);
        using var decoder = new H264Decoder();
        Assert.All(frames, f => Assert.True(decoder.TryDecode(f.Data, out _)));
    }

    [Fact]
    public void Mode_0_sends_single_nal_units_only_and_drops_what_cannot_fit()
    {
        H264CodecTests.SkipWithoutOpenH264();
        var clip = EncodeClip(5, maxNalSize: 900);
        var packetiser = new H264Packetiser(0, 1000);
        var packets = Packetise(packetiser, clip.Select(f => (f.Data, f.Ts)));
        Assert.All(packets, p => Assert.True(H264Nal.IsSingleNalType(H264Nal.TypeOf(p.Payload[0]))));
        Assert.Equal(0, packetiser.OversizedNals);
        var frames = Feed(new H264AccessUnitAssembler(), packets);
        using var decoder = new H264Decoder();
        Assert.Equal(5, frames.Count(f => decoder.TryDecode(f.Data, out _)));

        var tooBig = new H264Packetiser(0, 100);
        Packetise(tooBig, [(clip[0].Data, 0u)]);
        Assert.True(tooBig.OversizedNals > 0);
    }

    [Fact]
    public void A_lost_packet_is_nacked_then_given_up_and_only_an_idr_resumes_the_stream()
    {
        H264CodecTests.SkipWithoutOpenH264();
        var clip = EncodeClip(12, 0, 0, 8);
        var packets = Packetise(new H264Packetiser(1, 600), clip.Select(f => (f.Data, f.Ts)));
        var lost = packets.First(p => p.Ts == 3 * 3000);
        var assembler = new H264AccessUnitAssembler(lossTimeoutMs: 100);
        var output = Feed(assembler, packets.Where(p => p.Ts < 5 * 3000 && p != lost), nowMs: 0);
        Assert.Equal(3, output.Count);                                   // frames 0..2; frame 3 waits for its packet
        var missing = new List<ushort>();
        assembler.CollectMissing(missing, 10);
        Assert.Equal([lost.Seq], missing);

        assembler.Poll(150, output);                                     // no retransmission came
        Assert.True(assembler.KeyframeNeeded);
        output.AddRange(Feed(assembler, packets.Where(p => p.Ts >= 5 * 3000), nowMs: 200));
        Assert.Equal([0u, 3000u, 6000u, 8 * 3000u, 9 * 3000u, 10 * 3000u, 11 * 3000u], output.Select(f => f.RtpTimestamp));
        Assert.True(output[3].IsKeyframe);
        Assert.False(assembler.KeyframeNeeded);
        Assert.Equal(5, assembler.LostFrames);                          // frame 3 given up, 4..7 refused while waiting for the IDR
    }

    [Fact]
    public void An_idr_behind_a_backlog_of_damaged_units_is_delivered_when_it_arrives_not_one_timeout_per_unit_later()
    {
        H264CodecTests.SkipWithoutOpenH264();
        var clip = EncodeClip(12, 0, 0, 10);
        var packets = Packetise(new H264Packetiser(1, 600), clip.Select(f => (f.Data, f.Ts)));
        var lost = Enumerable.Range(3, 7).Select(f => packets.Last(p => p.Ts == f * 3000)).ToHashSet(); // units 3..9 damaged for good
        var assembler = new H264AccessUnitAssembler(lossTimeoutMs: 100);
        var output = Feed(assembler, packets.Where(p => !lost.Contains(p)), nowMs: 0);
        assembler.Poll(150, output);
        Assert.Contains(output, f => f.IsKeyframe && f.RtpTimestamp == 10 * 3000);
        Assert.Contains(output, f => f.RtpTimestamp == 11 * 3000);
    }

    [Fact]
    public void A_retransmission_within_the_timeout_completes_the_unit_as_recovered()
    {
        H264CodecTests.SkipWithoutOpenH264();
        var clip = EncodeClip(3);
        var packets = Packetise(new H264Packetiser(1, 600), clip.Select(f => (f.Data, f.Ts)));
        var late = packets[2];
        var assembler = new H264AccessUnitAssembler(lossTimeoutMs: 100);
        var output = Feed(assembler, packets.Where(p => p != late).Reverse(), nowMs: 0); // reversed: reordering too
        Assert.Empty(output);
        assembler.Insert(late.Seq, late.Ts, late.Marker, late.Payload, true, 50, output);
        Assert.Equal(3, output.Count);
        Assert.True(output[0].Recovered);
        Assert.Equal(1, assembler.RecoveredFrames);
        Assert.Equal(0, assembler.LostFrames);
    }

    [Fact]
    public void An_idr_without_parameter_sets_gets_the_last_ones_and_decodes()
    {
        H264CodecTests.SkipWithoutOpenH264();
        var clip = EncodeClip(6, 0, 0, 4);
        var packets = Packetise(new H264Packetiser(1, 1000), clip.Select(f => (f.Data, f.Ts)));
        var secondIdrStap = packets.First(p => p.Ts == 4 * 3000);
        Assert.Equal(H264Nal.StapA, H264Nal.TypeOf(secondIdrStap.Payload[0]));
        var assembler = new H264AccessUnitAssembler();
        var frames = Feed(assembler, packets.Where(p => p != secondIdrStap));
        Assert.Equal(4, frames.Count);                                  // waits for a retransmission of the missing packet
        assembler.Poll(1000, frames);                                   // none came: the IDR behind the gap starts the next unit
        Assert.Equal(6, frames.Count);
        Assert.True(frames[4].IsKeyframe);
        using var decoder = new H264Decoder();
        Assert.All(frames, f => Assert.True(decoder.TryDecode(f.Data, out _)));

        var fresh = new H264AccessUnitAssembler();
        var none = Feed(fresh, packets.Where(p => p.Ts >= 4 * 3000 && p != secondIdrStap));
        fresh.Poll(1000, none);
        Assert.Empty(none);
        Assert.Equal(1, fresh.MissingParameterSets);
        Assert.True(fresh.KeyframeNeeded);
    }

    [Fact]
    public void A_stream_joined_mid_fragment_or_mid_gop_asks_for_a_keyframe()
    {
        H264CodecTests.SkipWithoutOpenH264();
        var clip = EncodeClip(4);
        var packets = Packetise(new H264Packetiser(1, 500), clip.Select(f => (f.Data, f.Ts)));
        var assembler = new H264AccessUnitAssembler();
        var output = Feed(assembler, packets.Skip(3));
        Assert.Empty(output);                                           // waits: earlier packets may be reordered
        Assert.Equal(0, assembler.LostFrames);
        assembler.Poll(1000, output);
        Assert.Empty(output);
        Assert.True(assembler.KeyframeNeeded);
        Assert.True(assembler.LostFrames >= 3);
    }

    [Fact]
    public void Gstreamer_packets_assemble_across_the_sequence_wrap_and_decode()
    {
        H264CodecTests.SkipWithoutOpenH264();
        var packets = TestData.DataLines("h264-gstreamer-rtph264pay.txt").Select(line =>
        {
            var parts = line.Split('|');
            var f = parts[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => uint.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            return new Packet((ushort)f[0], f[1], f[2] == 1, TestData.Hex(parts[1].Trim()));
        }).ToList();
        var assembler = new H264AccessUnitAssembler();
        var frames = Feed(assembler, packets);
        Assert.Equal([1000u, 3999u, 6999u, 10000u], frames.Select(f => f.RtpTimestamp));
        Assert.True(frames[0].IsKeyframe);
        using var decoder = new H264Decoder();
        foreach (var f in frames)
        {
            Assert.True(decoder.TryDecode(f.Data, out var picture));
            Assert.Equal((128, 96), (picture!.Width, picture.Height));
        }
    }
}
