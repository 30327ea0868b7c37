using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.WebRtc.Tests.Vectors;

/// <summary>RTP header and RFC 8285 extensions written into and read from caller buffers.</summary>
public sealed class RtpHeaderTests
{
    [Fact]
    public void One_byte_extensions_round_trip_and_match_the_rfc8285_layout()
    {
        var b = new byte[64];
        int n = RtpHeader.WriteWithExtensions(b, true, 96, 0x1234, 0xDEADBEEF, 0x01020304,
            [(1, [0xAA]), (5, [0x01, 0x02, 0x03])]);
        Assert.Equal(12 + 4 + 8, n);
        Assert.Equal("90E01234" + "DEADBEEF" + "01020304" + "BEDE0002" + "10AA" + "52010203" + "0000", Convert.ToHexString(b, 0, n));
        Assert.True(RtpHeader.TryParse(b.AsSpan(0, n + 5), out var h));
        Assert.Equal(n, h.HeaderLength);
        Assert.True(h.Marker);
        Assert.True(h.TryGetExtension(b.AsSpan(0, n), 5, out var v));
        Assert.Equal(new byte[] { 1, 2, 3 }, v.ToArray());
        Assert.True(h.TryGetExtension(b.AsSpan(0, n), 1, out v));
        Assert.Equal(new byte[] { 0xAA }, v.ToArray());
        Assert.False(h.TryGetExtension(b.AsSpan(0, n), 2, out _));
    }

    [Fact]
    public void Two_byte_extensions_csrcs_and_padding_are_parsed()
    {
        // V=2 P=1 X=1 CC=1, two-byte profile 0x1000 with id 7 len 2, payload 3 bytes + 2 padding bytes
        var packet = Convert.FromHexString("B160000100000002000000030000000A" + "10000001" + "0702ABCD" + "010203" + "0002");
        Assert.True(RtpHeader.TryParse(packet, out var h));
        Assert.Equal(1, h.CsrcCount);
        Assert.Equal(24, h.HeaderLength);
        Assert.True(h.TryGetExtension(packet, 7, out var v));
        Assert.Equal("ABCD", Convert.ToHexString(v));
        Assert.True(h.TryGetPayload(packet, out var payload));
        Assert.Equal("010203", Convert.ToHexString(payload));
    }

    [Theory]
    [InlineData("8060000100000002")]                          // shorter than 12
    [InlineData("4060000100000002000000030000")]              // version 1
    [InlineData("8260000100000002000000030000000A")]          // CC=2 but one CSRC
    [InlineData("906000010000000200000003BEDE0005AABB")]      // extension longer than the packet
    public void Inconsistent_lengths_are_rejected(string hex) => Assert.False(RtpHeader.TryParse(Convert.FromHexString(hex), out _));

    [Fact]
    public void Impossible_padding_is_rejected_after_parsing()
    {
        var packet = Convert.FromHexString("A06000010000000200000003" + "0109");
        Assert.True(RtpHeader.TryParse(packet, out var h));
        Assert.False(h.TryGetPayload(packet, out _));
    }
}
