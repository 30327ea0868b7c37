using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Rtp.Extensions;
using PersonaLive.WebRtc.Sdp;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Vectors;

/// <summary>RFC 8285 header extension blocks (both forms), the values we send, and their SDP negotiation.</summary>
public sealed class RtpExtensionTests
{
    private static readonly Dictionary<string, string> V = TestData.KeyValues("rtp-header-extensions.txt");

    [Theory]
    [InlineData("one_byte", 1, "AA")]
    [InlineData("one_byte", 2, "BBCC")]
    [InlineData("one_byte", 3, "11223344")]
    [InlineData("two_byte", 1, "")]
    [InlineData("two_byte", 2, "AA")]
    [InlineData("two_byte", 3, "11223344")]
    public void Rfc8285_layouts_are_read_element_by_element(string block, int id, string expected)
    {
        byte[] packet = [.. TestData.Hex(V["rtp_header"]), .. TestData.Hex(V[block]), 0xFF];
        packet[0] |= 0x10;
        Assert.True(RtpHeader.TryParse(packet, out var h));
        Assert.Equal(packet.Length - 1, h.HeaderLength);
        Assert.True(h.TryGetExtension(packet, id, out var value));
        Assert.Equal(expected, Convert.ToHexString(value));
        Assert.False(h.TryGetExtension(packet, 4, out _));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Writer_output_reads_back_in_both_forms(bool twoByte)
    {
        var b = new byte[64];
        RtpHeader.Write(b, false, 96, 1, 2, 3);
        var w = new RtpExtensionWriter(b, twoByte);
        RtpExtensionValues.WriteAbsSendTime(w.Add(twoByte ? 200 : 2, 3), 0x0000000180000000UL);
        RtpExtensionValues.WriteTransportSequence(w.Add(4, 2), 0xFFFE);
        byte[] mid = twoByte ? "a-mid-longer-than-16"u8.ToArray() : "m0"u8.ToArray();
        mid.CopyTo(w.Add(9, mid.Length));
        int n = w.Finish();
        Assert.Equal(0, (n - 12) % 4);
        Assert.True(RtpHeader.TryParse(b.AsSpan(0, n), out var h));
        Assert.Equal(n, h.HeaderLength);
        Assert.Equal(twoByte ? 0x10 : 0xBE, b[12]);
        Assert.True(h.TryGetExtension(b.AsSpan(0, n), twoByte ? 200 : 2, out var ast));
        Assert.True(RtpExtensionValues.TryReadAbsSendTime(ast, out uint sendTime));
        Assert.Equal(Convert.ToUInt32(V["abs_send_time"], 16), sendTime);
        Assert.True(h.TryGetExtension(b.AsSpan(0, n), 4, out var seq));
        Assert.True(RtpExtensionValues.TryReadTransportSequence(seq, out ushort s));
        Assert.Equal(0xFFFE, s);
        Assert.True(h.TryGetExtension(b.AsSpan(0, n), 9, out var midValue));
        Assert.Equal(mid, midValue.ToArray());
    }

    [Fact]
    public void One_byte_form_refuses_what_it_cannot_carry()
    {
        var b = new byte[64];
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtpExtensionWriter(b, false).Add(15, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtpExtensionWriter(b, false).Add(1, 17));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RtpExtensionWriter(b, true).Add(256, 1));
        Assert.Equal(12, new RtpExtensionWriter(b, false).Finish());
    }

    [Fact]
    public void Values_match_the_vectors()
    {
        var ast = new byte[3];
        RtpExtensionValues.WriteAbsSendTime(ast, Convert.ToUInt64(V["abs_send_time_ntp"], 16));
        Assert.Equal(V["abs_send_time"], Convert.ToHexString(ast));
        var delay = new byte[3];
        RtpExtensionValues.WritePlayoutDelay(delay, 100, 400);
        Assert.Equal(V["playout_delay"], Convert.ToHexString(delay));
        Assert.True(RtpExtensionValues.TryReadPlayoutDelay(delay, out int min, out int max));
        Assert.Equal((100, 400), (min, max));
        RtpExtensionValues.WritePlayoutDelay(delay, 0, 0);
        Assert.Equal("000000", Convert.ToHexString(delay));
        Assert.False(RtpExtensionValues.TryReadPlayoutDelay(delay.AsSpan(0, 2), out _, out _));
        Assert.False(RtpExtensionValues.TryReadTransportSequence(delay, out _));
    }

    [Fact]
    public void Answer_to_chromium_echoes_the_offered_ids_of_supported_extensions_only()
    {
        string offer = TestData.Text("chrome156-offer.sdp");
        var local = new LocalMediaParameters("ufrag", "passwordpasswordpassword", string.Join(':', Enumerable.Repeat("AB", 32)),
            [], 1234, "cname", "stream", "track");
        var (answer, video) = SdpNegotiation.CreateAnswer(offer, local);
        Assert.Equal(new RtpExtensionMap { AbsSendTime = 2, TransportCc = 4, PlayoutDelay = 5, Mid = 9, AllowTwoByte = true }, video.Extensions);
        Assert.Contains("a=extmap:2 " + RtpExtensionMap.AbsSendTimeUri + "\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("a=extmap:4 " + RtpExtensionMap.TransportCcUri + "\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("a=extmap:5 " + RtpExtensionMap.PlayoutDelayUri + "\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("a=extmap:9 " + RtpExtensionMap.MidUri + "\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("a=extmap-allow-mixed\r\n", answer, StringComparison.Ordinal);
        Assert.Equal(4, answer.Split("a=extmap:").Length - 1);
        Assert.DoesNotContain("toffset", answer, StringComparison.Ordinal);
    }

    [Fact]
    public void Remote_maps_skip_bad_ids_and_duplicates()
    {
        string[] lines =
        [
            "3 " + RtpExtensionMap.TransportCcUri,
            "3 " + RtpExtensionMap.AbsSendTimeUri,
            "15 " + RtpExtensionMap.MidUri,
            "x " + RtpExtensionMap.PlayoutDelayUri,
            "20/sendrecv " + RtpExtensionMap.PlayoutDelayUri,
            "7",
        ];
        Assert.Equal(new RtpExtensionMap { TransportCc = 3 }, RtpExtensionMap.FromRemote(lines, allowTwoByte: false));
        Assert.Equal(new RtpExtensionMap { TransportCc = 3, PlayoutDelay = 20, AllowTwoByte = true }, RtpExtensionMap.FromRemote(lines, allowTwoByte: true));
    }
}
