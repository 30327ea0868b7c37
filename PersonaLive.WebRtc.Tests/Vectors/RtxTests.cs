using System.Net;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Sdp;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Vectors;

/// <summary>
/// RTX (RFC 4588): the payload format by hand-built vectors (OSN in front of the original payload,
/// section 4; restored in place with the media payload type, SSRC and original sequence number,
/// extensions kept), padding-only RTX refused, and the offer/answer lines of section 8 against a
/// recorded Chromium offer.
/// </summary>
public sealed class RtxTests
{
    private static LocalMediaParameters Local() => new(
        "srvu", "0123456789abcdefghijkl", "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99",
        [new IPEndPoint(IPAddress.Loopback, 50000)], 12345678, "persona", "stream-1", "track-1") { RtxSsrc = 87654321 };

    [Fact]
    public void Rtx_payload_is_the_original_sequence_number_then_the_original_payload()
    {
        var destination = new byte[8];
        Assert.Equal(6, RtxPacket.WritePayload(destination, 0xABCD, [1, 2, 3, 4]));
        Assert.Equal(Convert.FromHexString("ABCD01020304"), destination[..6]);
        Assert.Equal(0, RtxPacket.WritePayload(new byte[5], 1, [1, 2, 3, 4])); // does not fit
    }

    [Fact]
    public void An_rtx_packet_with_an_extension_is_restored_in_place()
    {
        // V=2 X=1 M=1 PT=97 seq=0x0102 ts=0x11223344 ssrc=0x0A0B0C0D, one-byte extension block
        // (id 3, 2 bytes: a transport-wide number), then OSN 0xBEEF and payload "hi".
        byte[] rtx = Convert.FromHexString("90E10102" + "11223344" + "0A0B0C0D" + "BEDE0001" + "31ABCD00" + "BEEF" + "6869");
        Assert.True(RtxPacket.TryUnwrap(rtx, mediaPayloadType: 96, mediaSsrc: 0x01020304, out int start, out ushort osn));
        Assert.Equal(0xBEEF, osn);
        Assert.Equal(2, start);
        Assert.Equal(Convert.FromHexString("90E0BEEF" + "11223344" + "01020304" + "BEDE0001" + "31ABCD00" + "6869"), rtx[start..]);
        Assert.True(RtpHeader.TryParse(rtx.AsSpan(start), out var header));
        Assert.True(header.Marker);
        Assert.True(header.TryGetExtension(rtx.AsSpan(start), 3, out var ext) && ext.SequenceEqual(new byte[] { 0xAB, 0xCD }));
    }

    [Fact]
    public void Padding_only_or_truncated_rtx_is_refused_unchanged()
    {
        // P=1: payload is one byte of padding count with the pad itself, no OSN (a bandwidth probe).
        byte[] padding = Convert.FromHexString("A0610001" + "00000001" + "00000002" + "00000004");
        byte[] copy = (byte[])padding.Clone();
        Assert.False(RtxPacket.TryUnwrap(padding, 96, 5, out _, out _));
        Assert.Equal(copy, padding);
        Assert.False(RtxPacket.TryUnwrap(Convert.FromHexString("8061000100000001000000020A"), 96, 5, out _, out _)); // one byte: no OSN
        Assert.False(RtxPacket.TryUnwrap(new byte[5], 96, 5, out _, out _));
    }

    [Fact]
    public void Answer_to_chrome_takes_its_rtx_for_vp8_and_announces_our_rtx_ssrc()
    {
        var (answer, video) = SdpNegotiation.CreateAnswer(TestData.Text("chrome156-offer.sdp"), Local());
        Assert.Equal(96, video.PayloadType);
        Assert.Equal(97, video.RtxPayloadType); // a=fmtp:97 apt=96 in the offer
        Assert.Equal(1288347669u, video.RemoteRtxSsrc);
        var lines = answer.Split("\r\n");
        Assert.Contains(lines, l => l.StartsWith("m=video ", StringComparison.Ordinal) && l.EndsWith(" 96 97", StringComparison.Ordinal));
        Assert.Contains("a=rtpmap:97 rtx/90000", lines);
        Assert.Contains("a=fmtp:97 apt=96", lines);
        Assert.Contains("a=ssrc-group:FID 12345678 87654321", lines);
        Assert.Contains("a=ssrc:87654321 cname:persona", lines);
        Assert.DoesNotContain(lines, l => l.Contains("apt=102", StringComparison.Ordinal)); // only the chosen codec's RTX
    }

    [Fact]
    public void Without_rtx_in_the_offer_the_answer_has_none()
    {
        var offer = string.Join("\r\n", TestData.Text("chrome156-offer.sdp").Split("\r\n")
            .Where(l => !l.StartsWith("a=fmtp:97 ", StringComparison.Ordinal)));
        var (answer, video) = SdpNegotiation.CreateAnswer(offer, Local());
        Assert.Equal(-1, video.RtxPayloadType);
        Assert.DoesNotContain("rtx/90000", answer, StringComparison.Ordinal);
        Assert.DoesNotContain("ssrc-group", answer, StringComparison.Ordinal);
    }

    [Fact]
    public void Our_offer_carries_rtx_and_reads_it_back_from_the_answer()
    {
        string offer = SdpNegotiation.CreateOffer(Local());
        Assert.Contains("a=fmtp:97 apt=96\r\n", offer, StringComparison.Ordinal);
        var (answer, _) = SdpNegotiation.CreateAnswer(offer, Local() with { Ssrc = 1, RtxSsrc = 2 });
        Assert.Equal(97, SdpNegotiation.ReadAnswer(answer).RtxPayloadType);
        Assert.DoesNotContain("rtx", SdpNegotiation.CreateOffer(Local(), rtx: false), StringComparison.Ordinal);
    }
}
