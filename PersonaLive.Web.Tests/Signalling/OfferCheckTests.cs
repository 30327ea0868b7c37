using PersonaLive.Web.Live.Signalling;

namespace PersonaLive.Web.Tests.Signalling;

/// <summary>The endpoints' first look at an offer: codecs and ICE ufrag of a real browser offer, and the reasons for unreadable ones.</summary>
public sealed class OfferCheckTests
{
    private const string ChromeLike = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n" +
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=ice-ufrag:abcd\r\na=rtpmap:111 opus/48000/2\r\n" +
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99\r\na=ice-ufrag:abcd\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\n" +
        "a=rtpmap:98 H264/90000\r\na=rtpmap:99 VP8/90000\r\n";

    [Fact]
    public void Reads_video_codecs_without_repair_formats_and_the_ufrag()
    {
        var report = OfferCheck.Inspect(ChromeLike);
        Assert.Null(report.Problem);
        Assert.True(report.HasVideo);
        Assert.Equal(["VP8", "H264"], report.VideoCodecs);
        Assert.True(report.HasCommonCodec);
        Assert.Equal("abcd", report.IceUfrag);
    }

    [Fact]
    public void Audio_only_offer_says_a_video_section_is_needed()
    {
        var report = OfferCheck.Inspect("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n");
        Assert.False(report.HasCommonCodec);
        Assert.Contains("no video section", report.NoCommonCodecMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("v=1\r\n", "Line 1 must be \"v=0\"")]
    [InlineData("v=0\r\nm=video nine UDP/TLS/RTP/SAVPF 96\r\n", "Line 2 is not a valid media line")]
    [InlineData("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96\r\n", "Line 3 is not a valid rtpmap")]
    [InlineData("v=0\r\nM=video 9 UDP/TLS/RTP/SAVPF 96\r\n", "Line 2 is not an SDP line")]
    public void Unreadable_offers_name_the_line(string sdp, string reason)
    {
        var report = OfferCheck.Inspect(sdp);
        Assert.NotNull(report.Problem);
        Assert.Contains(reason, report.Problem, StringComparison.Ordinal);
    }

    private static string H264Only(string profileLevelId) => "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" +
        "m=video 9 UDP/TLS/RTP/SAVPF 102\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=ice-ufrag:obs1\r\na=ice-pwd:0123456789abcdef0123456789\r\n" +
        "a=fingerprint:sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\r\n" +
        "a=setup:actpass\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:102 H264/90000\r\n" +
        $"a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id={profileLevelId}\r\n";

    [Fact]
    public void Obs_style_h264_only_offer_has_a_common_codec()
    {
        var report = OfferCheck.Inspect(H264Only("42e01f"));
        Assert.Null(report.Problem);
        Assert.Equal(["H264"], report.VideoCodecs);
        Assert.Equal(["VP8", "H264"], report.SupportedCodecs);
        Assert.True(report.HasCommonCodec);
    }

    [Fact]
    public void High_profile_only_offer_is_refused_naming_offered_and_supported()
    {
        var report = OfferCheck.Inspect(H264Only("640c1f"));
        Assert.Null(report.Problem);
        Assert.False(report.HasCommonCodec);
        Assert.Contains("the offer has H264", report.NoCommonCodecMessage, StringComparison.Ordinal);
        Assert.Contains("supports VP8, H264 (H264: Constrained Baseline or Baseline", report.NoCommonCodecMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Preferred_codecs_without_h264_refuse_an_h264_only_offer()
    {
        var report = OfferCheck.Inspect(H264Only("42e01f"), ["VP8"]);
        Assert.False(report.HasCommonCodec);
        Assert.EndsWith("this server supports VP8.", report.NoCommonCodecMessage, StringComparison.Ordinal);
        Assert.True(OfferCheck.Inspect(ChromeLike, ["H264"]).HasCommonCodec);
    }
}
