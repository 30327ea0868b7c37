using System.Net;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.OpenH264;
using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.Rtp.H264;
using PersonaLive.WebRtc.Sdp;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Vectors;

/// <summary>
/// H.264 beside VP8 in offer/answer: which codec the answer picks, profile matching (RFC 6184 section
/// 8.1), packetization-mode, level asymmetry, feedback, and the preference setting.
/// </summary>
public sealed class H264SdpTests
{
    private static readonly string Chrome = TestData.Text("chrome156-offer.sdp");

    private static LocalMediaParameters Local() => new(
        "srvu", "0123456789abcdefghijkl", "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99",
        [new IPEndPoint(IPAddress.Loopback, 50000)], 12345678, "persona", "stream-1", "track-1");

    /// <summary>A publisher offering one H.264 format only, shaped like the WHIP offers of OBS and FFmpeg.</summary>
    private static string H264Only(string fmtp, string feedback = "a=rtcp-fb:96 nack\\r\\na=rtcp-fb:96 nack pli\\r\\na=rtcp-fb:96 ccm fir\\r\\n") =>
        ("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
        + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\n"
        + "a=fingerprint:sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99\r\n"
        + "a=setup:actpass\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\na=rtpmap:96 H264/90000\r\n"
        + (fmtp.Length > 0 ? $"a=fmtp:96 {fmtp}\r\n" : "") + feedback).Replace("\\r\\n", "\r\n", StringComparison.Ordinal);

    [Fact]
    public void Browser_offer_gets_vp8_by_default_and_h264_constrained_baseline_mode_1_when_preferred()
    {
        var (_, vp8) = SdpNegotiation.CreateAnswer(Chrome, Local());
        Assert.Equal((VideoCodec.Vp8, 96), (vp8.Codec, vp8.PayloadType));

        var (answer, h264) = SdpNegotiation.CreateAnswer(Chrome, Local(), ["H264", "VP8"]);
        Assert.Equal((VideoCodec.H264, 108), (h264.Codec, h264.PayloadType)); // 42e01f mode 1 beats 42001f mode 1 and the mode 0 ones
        var lines = answer.Split("\r\n");
        Assert.Contains("m=video 50000 UDP/TLS/RTP/SAVPF 108 109", lines);
        Assert.Contains("a=rtpmap:108 H264/90000", lines);
        Assert.Contains("a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", lines);
        Assert.Equal(["a=rtcp-fb:108 nack", "a=rtcp-fb:108 nack pli", "a=rtcp-fb:108 ccm fir", "a=rtcp-fb:108 goog-remb", "a=rtcp-fb:108 transport-cc"],
            lines.Where(l => l.StartsWith("a=rtcp-fb:", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.Contains("VP8", StringComparison.Ordinal));
        Assert.True(h264.Nack && h264.Pli && h264.Fir);
    }

    [Fact]
    public void Negotiated_codec_picks_the_codec_seam_with_the_agreed_packetization_mode()
    {
        var (_, vp8) = SdpNegotiation.CreateAnswer(Chrome, Local());
        Assert.Same(Vp8VideoCodec.Instance, VideoCodecs.For(vp8));

        var (_, h264) = SdpNegotiation.CreateAnswer(H264Only("packetization-mode=0;profile-level-id=42e01f"), Local());
        var codec = Assert.IsType<H264VideoCodec>(VideoCodecs.For(h264));
        Assert.Equal("H264", codec.Name);
        var packetiser = Assert.IsType<H264Packetiser>(codec.CreatePacketizer());
        Assert.Equal(0, packetiser.PacketizationMode);
        Assert.IsType<H264AccessUnitAssembler>(codec.CreateAssembler(100));
        Assert.Throws<ArgumentException>(() => VideoCodecs.For(h264 with { H264 = null }));
    }

    [Fact]
    public void Browser_offer_without_vp8_gets_h264()
    {
        var noVp8 = Chrome.Replace("a=rtpmap:96 VP8/90000", "a=rtpmap:96 H263/90000", StringComparison.Ordinal);
        var (_, video) = SdpNegotiation.CreateAnswer(noVp8, Local());
        Assert.Equal((VideoCodec.H264, 108, 1), (video.Codec, video.PayloadType, video.H264!.PacketizationMode));
    }

    [Fact]
    public void H264_only_publisher_gets_h264_unless_the_preference_leaves_h264_out()
    {
        string offer = H264Only("profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1");
        Assert.Equal(VideoCodec.H264, SdpNegotiation.CreateAnswer(offer, Local()).Video.Codec);
        Assert.Equal(VideoCodec.H264, SdpNegotiation.CreateAnswer(offer, Local(), ["VP8", "H264"]).Video.Codec);
        var e = Assert.Throws<SdpException>(() => SdpNegotiation.CreateAnswer(offer, Local(), ["VP8"]));
        Assert.Contains("offers H264", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1", 1, "42e01f", 31)]
    [InlineData("packetization-mode=1;profile-level-id=42E01F", 1, "42e01f", 31)]             // hex case; no asymmetry: min(3.1, 3.1)
    [InlineData("profile-level-id=42e00d;packetization-mode=1", 1, "42e00d", 13)]              // no asymmetry: we answer and send the lower level 1.3
    [InlineData("profile-level-id=42e00d;packetization-mode=1;level-asymmetry-allowed=1", 1, "42e01f", 31)]
    [InlineData("profile-level-id=42001f;packetization-mode=0", 0, "42001f", 31)]              // Baseline, single NAL units only
    [InlineData("packetization-mode=1", 1, "42000a", 10)]                                       // absent profile-level-id: 42000a
    [InlineData("", 0, "42000a", 10)]                                                           // absent everything: mode 0, 42000a
    public void H264_format_is_matched_as_rfc_6184_says(string fmtp, int mode, string answeredProfileLevelId, int sendLevel)
    {
        var (answer, video) = SdpNegotiation.CreateAnswer(H264Only(fmtp), Local());
        Assert.Equal(VideoCodec.H264, video.Codec);
        Assert.Equal(mode, video.H264!.PacketizationMode);
        Assert.Equal(sendLevel, video.H264.SendLevelIdc);
        Assert.Contains($"a=fmtp:96 level-asymmetry-allowed=1;packetization-mode={mode};profile-level-id={answeredProfileLevelId}\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("a=recvonly\r\n", answer, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("profile-level-id=4d001f;packetization-mode=1")]  // Main
    [InlineData("profile-level-id=64001f;packetization-mode=1")]  // High
    [InlineData("profile-level-id=42e01f;packetization-mode=2")]  // interleaved mode
    [InlineData("profile-level-id=42e0zz;packetization-mode=1")]  // not hex
    public void H264_formats_we_cannot_handle_are_refused_with_the_reason(string fmtp)
    {
        var e = Assert.Throws<SdpException>(() => SdpNegotiation.CreateAnswer(H264Only(fmtp), Local()));
        Assert.Contains("offers H264", e.Message, StringComparison.Ordinal);
        Assert.Contains("Constrained Baseline or Baseline, packetization-mode 0 or 1", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("42e01f", H264Profile.ConstrainedBaseline, 31)]
    [InlineData("42c01e", H264Profile.ConstrainedBaseline, 30)]
    [InlineData("42001f", H264Profile.Baseline, 31)]
    [InlineData("4d801f", H264Profile.ConstrainedBaseline, 31)]
    [InlineData("4d001f", H264Profile.Main, 31)]
    [InlineData("58c01f", H264Profile.ConstrainedBaseline, 31)]
    [InlineData("58801f", H264Profile.Baseline, 31)]
    [InlineData("640c1f", H264Profile.ConstrainedHigh, 31)]
    [InlineData("64001f", H264Profile.High, 31)]
    [InlineData("f4001f", H264Profile.Unsupported, 31)]
    public void Profile_level_id_names_the_profile_from_idc_and_constraint_flags(string value, H264Profile profile, int level)
    {
        Assert.True(H264ProfileLevelId.TryParse(value, out var p));
        Assert.Equal((profile, level), (p.Profile, p.LevelIdc));
        Assert.Equal(value, p.ToString());
        Assert.True(profile == H264Profile.Unsupported || p.SameProfileAs(p.WithLevel(10)), "the level is not part of the identity");
    }

    [Theory]
    [InlineData("42e0")]
    [InlineData("42e01f00")]
    [InlineData("42e000")]
    [InlineData("xyzxyz")]
    [InlineData(null)]
    public void Malformed_profile_level_ids_do_not_parse(string? value) => Assert.False(H264ProfileLevelId.TryParse(value, out _));

    [Fact]
    public void Our_h264_offer_is_answered_and_read_back_as_h264()
    {
        string offer = SdpNegotiation.CreateOffer(Local(), "sendrecv", 102, VideoCodec.H264);
        Assert.Contains("a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n", offer, StringComparison.Ordinal);
        var (answer, served) = SdpNegotiation.CreateAnswer(offer.Replace("a=setup:actpass", "a=setup:actpass\r\na=ice-ufrag:cli1\r\na=ice-pwd:0123456789abcdefghijkl", StringComparison.Ordinal), Local());
        Assert.Equal(VideoCodec.H264, served.Codec);
        var read = SdpNegotiation.ReadAnswer(answer);
        Assert.Equal((VideoCodec.H264, 102, 1), (read.Codec, read.PayloadType, read.H264!.PacketizationMode));
    }
}
