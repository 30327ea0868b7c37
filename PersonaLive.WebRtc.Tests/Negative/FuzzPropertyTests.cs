using System.Text;
using CsCheck;
using PersonaLive.WebRtc.Benchmarks;
using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.Diagnostics;
using PersonaLive.WebRtc.Ice;
using PersonaLive.WebRtc.Rtcp;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Sdp;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Negative;

/// <summary>
/// Bounded property/fuzz runs (CsCheck) over every parser: random bytes, mutated valid packets, and
/// round-trip properties for what we write. The long run is the <c>fuzz</c> benchmark.
/// </summary>
public sealed class FuzzPropertyTests
{
    [Fact]
    public void Seeds_are_valid_packets()
    {
        var seeds = FuzzBenchmark.Seeds();
        Assert.True(StunMessage.TryParse(seeds[0], out var s) && s!.VerifyFingerprint());
        Assert.True(StunMessage.TryParse(seeds[1], out var r) && r!.VerifyFingerprint());
        Assert.True(RtpHeader.TryParse(seeds[2], out var h) && h.Extension);
        var report = RtcpReport.Parse(seeds[3]);
        Assert.NotNull(report);
        Assert.Equal(5, report!.PacketCount);
        Assert.Equal(500_000UL, report.RembBitrate);
        Assert.Equal(96, SdpDescription.Parse(Encoding.UTF8.GetString(seeds[4])).Media[0].FindPayloadType("VP8"));
    }

    [Fact]
    public void Random_bytes_never_break_a_parser() =>
        Gen.Byte.Array[0, 1500].Sample(bytes => ParserFuzzer.Exercise(bytes), iter: 3000, threads: 1);

    [Fact]
    public void Mutated_valid_packets_never_break_a_parser()
    {
        var seeds = FuzzBenchmark.Seeds();
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var random = new Random(seed);
            ParserFuzzer.Exercise(ParserFuzzer.Mutate(seeds[random.Next(seeds.Count)], random));
        }, iter: 20000, threads: 1);
    }

    [Fact]
    public void Mutated_browser_offers_only_ever_raise_sdp_exceptions()
    {
        var offer = Encoding.UTF8.GetBytes(TestData.Text("chrome156-offer.sdp"));
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var random = new Random(seed);
            ParserFuzzer.ExerciseSdp(Encoding.UTF8.GetString(ParserFuzzer.Mutate(offer, random)));
        }, iter: 2000, threads: 1);
    }

    [Fact]
    public void Rtp_header_round_trips_for_any_field_values() =>
        Gen.Select(Gen.Bool, Gen.Byte[0, 127], Gen.UShort, Gen.UInt, Gen.UInt).Sample((marker, pt, seq, ts, ssrc) =>
        {
            var b = new byte[12];
            RtpHeader.Write(b, marker, pt, seq, ts, ssrc);
            Assert.True(RtpHeader.TryParse(b, out var h));
            Assert.Equal((marker, pt, seq, ts, ssrc), (h.Marker, h.PayloadType, h.SequenceNumber, h.Timestamp, h.Ssrc));
        }, iter: 2000, threads: 1);

    [Fact]
    public void Nack_lists_round_trip() =>
        Gen.UShort.Array[1, 60].Sample(values =>
        {
            var sorted = values.Distinct().Select(v => (ushort)(v % 2000)).Distinct().Order().ToArray();
            var b = new byte[12 + 4 * sorted.Length];
            int n = RtcpWriter.WriteNack(b, 1, 2, sorted);
            Assert.Equal(sorted, RtcpReport.Parse(b.AsSpan(0, n))!.NackedSequences.Order().ToArray());
        }, iter: 2000, threads: 1);

    [Fact]
    public void Vp8_descriptor_round_trips_for_any_picture_id() =>
        Gen.Select(Gen.Int[0, 0x7FFF], Gen.Bool).Sample((id, start) =>
        {
            var b = new byte[4];
            Vp8PayloadDescriptor.WriteWithPictureId(b, start, id);
            Assert.True(Vp8PayloadDescriptor.TryParse(b, out var d));
            Assert.Equal((id, start), (d.PictureId, d.IsFrameStart));
        }, iter: 2000, threads: 1);

    [Fact]
    public void Stun_messages_we_build_always_verify() =>
        Gen.Select(Gen.String[Gen.Char['a', 'z'], 1, 40], Gen.Byte.Array[12]).Sample((user, tid) =>
        {
            var key = Encoding.UTF8.GetBytes("0123456789abcdefghijkl");
            var bytes = new StunMessageBuilder(StunConstants.BindingRequest, tid).AddString(StunConstants.AttrUsername, user)
                .AddUInt32(StunConstants.AttrPriority, 1).AddMessageIntegrity(key).AddFingerprint().ToArray();
            Assert.True(StunMessage.TryParse(bytes, out var m));
            Assert.True(m!.VerifyFingerprint() && m.VerifyIntegrity(key));
            Assert.Equal(user, m.Username);
        }, iter: 1000, threads: 1);
}
