using PersonaLive.WebRtc.Rtp.H264;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Vectors;

/// <summary>RFC 6184 payload structures (single NAL unit, STAP-A, FU-A) and the malformed variants we refuse.</summary>
public sealed class H264PayloadVectorTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var line in TestData.DataLines("h264-payloads.txt"))
        {
            var parts = line.Split('|');
            data.Add(parts[0].Trim(), parts[1].Trim());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Payload_parses_as_the_rfc_layout_says(string hex, string expected)
    {
        bool ok = H264Payload.TryParse(TestData.Hex(hex), out var kind, out int nalTypes);
        if (expected == "fail")
        {
            Assert.False(ok);
            return;
        }

        Assert.True(ok);
        var fields = expected.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enum.Parse<H264PayloadKind>(fields[0]), kind);
        Assert.Equal(fields[1..].Sum(t => 1 << int.Parse(t, System.Globalization.CultureInfo.InvariantCulture)), nalTypes);
    }

    [Fact]
    public void Stap_a_and_fu_a_become_annex_b_with_the_nal_header_rebuilt()
    {
        var output = new List<byte>();
        byte[][] unit = [TestData.Hex("78 00 04 67 42 e0 1f 00 02 68 ce"), TestData.Hex("7c 85 aa bb"), TestData.Hex("7c 05 cc"), TestData.Hex("7c 45 dd")];
        Assert.True(H264Payload.TryAppendAnnexB(unit, output));
        Assert.Equal(TestData.Hex("00000001 6742e01f 00000001 68ce 00000001 65 aabb cc dd"), output.ToArray());
    }

    [Theory]
    [InlineData("7c 05 cc|7c 45 dd")]               // no start fragment
    [InlineData("7c 85 aa|7c 05 cc")]               // no end fragment
    [InlineData("7c 85 aa|41 9a|7c 45 dd")]         // interrupted by another NAL
    [InlineData("7c 85 aa|7c 41 dd")]               // end fragment of another NAL type
    [InlineData("7c 85 aa|7c 85 bb|7c 45 dd")]      // second start inside a fragment
    public void Fragments_that_do_not_form_whole_nal_units_are_refused(string packets)
    {
        var unit = packets.Split('|').Select(TestData.Hex).ToArray();
        Assert.False(H264Payload.TryAppendAnnexB(unit, new List<byte>()));
    }

    [Fact]
    public void Annex_b_split_handles_3_and_4_byte_start_codes_and_trailing_zeros()
    {
        var stream = TestData.Hex("ff 000001 6742 00 000001 68ce 0000 00000001 65aa");
        var nals = new List<(int Offset, int Length)>();
        H264Nal.Split(stream, nals);
        Assert.Equal([(4, 2), (10, 2), (18, 2)], nals);
    }
}
