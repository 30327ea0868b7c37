using System.Net;
using System.Text;
using PersonaLive.WebRtc.Ice;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Vectors;

/// <summary>RFC 5769 sample messages: parse, verify MESSAGE-INTEGRITY / FINGERPRINT, and rebuild byte for byte.</summary>
public sealed class StunVectorTests
{
    private static readonly Dictionary<string, string> V = TestData.KeyValues("stun-rfc5769.txt");
    private static byte[] Key => Encoding.UTF8.GetBytes(V["password"]);

    [Fact]
    public void Sample_request_parses_and_verifies()
    {
        Assert.True(StunMessage.TryParse(TestData.Hex(V["request"]), out var m));
        Assert.Equal(StunConstants.BindingRequest, m!.MessageType);
        Assert.Equal(V["username"], m.Username);
        Assert.Equal(V["software_request"], m.Software);
        Assert.Equal(uint.Parse(V["priority"]), m.Priority);
        Assert.True(m.Has(StunConstants.AttrIceControlled));
        Assert.True(m.VerifyFingerprint());
        Assert.True(m.VerifyIntegrity(Key));
        Assert.False(m.VerifyIntegrity(Encoding.UTF8.GetBytes("wrong-password-xxxxxxx")));
    }

    [Fact]
    public void Sample_request_is_rebuilt_byte_for_byte()
    {
        var expected = TestData.Hex(V["request"]);
        var b = new StunMessageBuilder(StunConstants.BindingRequest, expected.AsSpan(8, 12))
            .AddString(StunConstants.AttrSoftware, V["software_request"], 0x20)
            .AddUInt32(StunConstants.AttrPriority, uint.Parse(V["priority"]))
            .Add(StunConstants.AttrIceControlled, Convert.FromHexString(V["ice_controlled"]))
            .AddString(StunConstants.AttrUsername, V["username"], 0x20)
            .AddMessageIntegrity(Key)
            .AddFingerprint();
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(b.ToArray()));
    }

    [Theory]
    [InlineData("response_ipv4", "mapped_ipv4")]
    [InlineData("response_ipv6", "mapped_ipv6")]
    public void Sample_responses_parse_verify_and_rebuild(string vector, string mapped)
    {
        var bytes = TestData.Hex(V[vector]);
        Assert.True(StunMessage.TryParse(bytes, out var m));
        Assert.Equal(StunConstants.BindingSuccess, m!.MessageType);
        Assert.Equal(IPEndPoint.Parse(V[mapped]), m.XorMappedAddress);
        Assert.Equal(V["software_response"], m.Software);
        Assert.True(m.VerifyFingerprint());
        Assert.True(m.VerifyIntegrity(Key));

        var rebuilt = new StunMessageBuilder(StunConstants.BindingSuccess, bytes.AsSpan(8, 12))
            .AddString(StunConstants.AttrSoftware, V["software_response"], 0x20)
            .AddXorMappedAddress(IPEndPoint.Parse(V[mapped]))
            .AddMessageIntegrity(Key)
            .AddFingerprint()
            .ToArray();
        Assert.Equal(Convert.ToHexString(bytes), Convert.ToHexString(rebuilt));
    }

    [Fact]
    public void A_flipped_bit_breaks_fingerprint_and_integrity()
    {
        var bytes = TestData.Hex(V["request"]);
        bytes[30] ^= 0x01; // inside SOFTWARE
        Assert.True(StunMessage.TryParse(bytes, out var m));
        Assert.False(m!.VerifyFingerprint());
        Assert.False(m.VerifyIntegrity(Key));
    }
}
