using PersonaLive.WebRtc.Rtcp;

namespace PersonaLive.WebRtc.Tests.Vectors;

/// <summary>RTCP encoders checked against hand-built spec layouts, and decoded back.</summary>
public sealed class RtcpTests
{
    [Fact]
    public void Pli_matches_rfc4585_layout()
    {
        var b = new byte[12];
        Assert.Equal(12, RtcpWriter.WritePli(b, 0x11223344, 0x55667788));
        Assert.Equal("81CE00021122334455667788", Convert.ToHexString(b));
        var r = RtcpReport.Parse(b)!;
        Assert.Equal([0x55667788u], r.PliMediaSsrcs);
    }

    [Fact]
    public void Nack_packs_pid_and_bitmap()
    {
        var b = new byte[64];
        int n = RtcpWriter.WriteNack(b, 1, 2, [100, 101, 103, 116, 117, 200]);
        // FCI 1: PID 100, BLP bits for 101 (bit0), 103 (bit2), 116 (bit15); FCI 2: 117; FCI 3: 200
        Assert.Equal("81CD0005" + "00000001" + "00000002" + "00648005" + "00750000" + "00C80000", Convert.ToHexString(b, 0, n));
        var r = RtcpReport.Parse(b.AsSpan(0, n))!;
        Assert.Equal(new ushort[] { 100, 101, 103, 116, 117, 200 }, r.NackedSequences);
    }

    [Theory]
    [InlineData(2_500_000UL)]
    [InlineData(300_000UL)]
    [InlineData(123UL)]
    [InlineData(50_000_000_000UL)]
    public void Remb_exponent_and_mantissa_round_trip(ulong bitrate)
    {
        var b = new byte[32];
        int n = RtcpWriter.WriteRemb(b, 7, bitrate, [9u]);
        var r = RtcpReport.Parse(b.AsSpan(0, n))!;
        Assert.NotNull(r.RembBitrate);
        Assert.InRange((double)r.RembBitrate!.Value, bitrate * 0.9999, bitrate); // mantissa truncation only
    }

    [Fact]
    public void Compound_sr_rr_sdes_bye_fir_round_trip_with_lengths_in_words_minus_one()
    {
        var b = new byte[256];
        var block = new ReportBlock(0xABCDEF01, 25, -3, 70000, 12, 0x11112222, 65536);
        int n = RtcpWriter.WriteSenderReport(b, new SenderInfo(42, 0xE000000180000000, 9000, 10, 12000), [block]);
        Assert.Equal((28 + 24) / 4 - 1, (b[2] << 8) | b[3]);
        n += RtcpWriter.WriteReceiverReport(b.AsSpan(n), 42, [block]);
        int sdesAt = n;
        n += RtcpWriter.WriteSdesCname(b.AsSpan(n), 42, "cname-1");
        Assert.Equal(0, (n - sdesAt) % 4);
        n += RtcpWriter.WriteFir(b.AsSpan(n), 42, 77, 5);
        n += RtcpWriter.WriteBye(b.AsSpan(n), 42);
        var r = RtcpReport.Parse(b.AsSpan(0, n))!;
        Assert.Equal(5, r.PacketCount);
        Assert.Equal(new SenderInfo(42, 0xE000000180000000, 9000, 10, 12000), r.SenderReports.Single());
        Assert.Equal([block, block], r.ReportBlocks);
        Assert.Equal("cname-1", r.Cnames[42]);
        Assert.Equal([77u], r.FirMediaSsrcs);
        Assert.Equal([42u], r.ByeSsrcs);
    }

    [Fact]
    public void Report_count_beyond_length_is_rejected()
    {
        var b = new byte[8];
        RtcpWriter.WriteReceiverReport(b, 1, []);
        b[0] |= 2; // claims 2 report blocks in an 8-byte packet
        Assert.Null(RtcpReport.Parse(b));
    }
}
