using System.Net;
using PersonaLive.WebRtc.Sdp;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Vectors;

/// <summary>SDP parse/round trip on Chrome 156's real offer, the answer we build, and clear rejections.</summary>
public sealed class SdpTests
{
    private static readonly string Offer = TestData.Text("chrome156-offer.sdp");

    private static LocalMediaParameters Local() => new(
        "srvu", "0123456789abcdefghijkl", "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99",
        [new IPEndPoint(IPAddress.Loopback, 50000)], 12345678, "persona", "stream-1", "track-1");

    [Fact]
    public void Chrome_offer_round_trips_byte_for_byte()
    {
        var sdp = SdpDescription.Parse(Offer);
        Assert.Equal(Offer, sdp.ToString());
        Assert.Single(sdp.Media);
        Assert.Equal(96, sdp.Media[0].FindPayloadType("VP8"));
        Assert.Contains("a=rtcp-xr:rcvr-rtt=all", sdp.Media[0].Lines); // unknown attributes kept
    }

    [Fact]
    public void Answer_to_chrome_offer_has_everything_chrome_needs()
    {
        var (answer, video) = SdpNegotiation.CreateAnswer(Offer, Local());
        var lines = answer.Split("\r\n");
        Assert.Contains("a=ice-lite", lines);
        Assert.Contains("a=group:BUNDLE 0", lines);
        Assert.Contains("m=video 50000 UDP/TLS/RTP/SAVPF 96 97", lines);  // with its RTX payload type (RFC 4588)
        Assert.Contains("a=setup:passive", lines);
        Assert.Contains("a=mid:0", lines);
        Assert.Contains("a=sendrecv", lines);
        Assert.Contains("a=rtcp-mux", lines);
        Assert.Contains("a=rtcp-rsize", lines);
        Assert.Contains("a=rtpmap:96 VP8/90000", lines);
        Assert.Contains("a=rtcp-fb:96 nack", lines);
        Assert.Contains("a=rtcp-fb:96 nack pli", lines);
        Assert.Contains("a=rtcp-fb:96 ccm fir", lines);
        Assert.Contains("a=rtcp-fb:96 goog-remb", lines);
        Assert.Contains("a=rtcp-fb:96 transport-cc", lines); // with the transport-wide sequence extension echoed below
        Assert.Contains("a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", lines);
        Assert.Contains("a=msid:stream-1 track-1", lines);
        Assert.Contains("a=ssrc:12345678 cname:persona", lines);
        Assert.Contains("a=ice-ufrag:srvu", lines);
        Assert.Contains(lines, l => l.StartsWith("a=fingerprint:sha-256 AA:BB", StringComparison.Ordinal));
        Assert.Contains("a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host", lines);

        Assert.Equal("k771", video.RemoteIceUfrag);
        Assert.Equal("uScRyDPIXprkiUUz4cyI8RZZ", video.RemoteIcePassword);
        Assert.Equal(32, video.RemoteFingerprint.Length);
        Assert.Equal([2001546510u, 1288347669u], video.RemoteSsrcs);
        Assert.True(video.Nack && video.Pli && video.Fir && video.Remb);
        // Our answer must itself parse as a valid description for the client role.
        Assert.Equal(96, SdpNegotiation.ReadAnswer(answer).PayloadType);
    }

    /// <summary>
    /// Chrome's offer after getUserMedia({audio, video}): audio mid 0, video mid 1, both bundled. We
    /// accept the Opus audio (RFC 7587 section 7) beside the video: one bundle, Opus only, the direction
    /// mirrored, our audio SSRC in the same stream as the video so the browser syncs the two.
    /// </summary>
    [Fact]
    public void Audio_and_video_offer_gets_opus_accepted_in_the_same_bundle_and_stream()
    {
        var offerText = TestData.Text("chrome156-audio-video-offer.sdp");
        var offer = SdpDescription.Parse(offerText);
        Assert.Equal(offerText, offer.ToString());
        Assert.Equal(["audio", "video"], offer.Media.Select(m => m.Kind));

        var local = Local() with { AudioSsrc = 4242, AudioTrackId = "audio-t" };
        var (answer, video) = SdpNegotiation.CreateAnswer(offerText, local);
        Assert.Equal("1", video.Mid);
        Assert.Equal(96, video.PayloadType);
        Assert.NotNull(video.Audio);
        Assert.Equal("0", video.Audio.Mid);
        Assert.Equal(111, video.Audio.OpusPayloadType);
        Assert.Equal("sendrecv", video.Audio.LocalDirection);
        var parsed = SdpDescription.Parse(answer);
        Assert.Equal(["audio", "video"], parsed.Media.Select(m => m.Kind)); // same order as the offer
        var lines = answer.Split("\r\n");
        Assert.Single(lines, l => l.StartsWith("a=group:", StringComparison.Ordinal));
        Assert.Contains("a=group:BUNDLE 0 1", lines);

        var audio = parsed.Media[0];
        Assert.NotEqual(0, audio.Port);
        Assert.Equal("UDP/TLS/RTP/SAVPF", audio.Protocol);
        Assert.Equal(["111"], audio.Formats); // Opus only: no PCMU/PCMA/G722/CN/telephone-event
        Assert.Equal("0", audio.Attribute("mid"));
        Assert.True(audio.HasAttribute("sendrecv"));
        Assert.True(audio.HasAttribute("rtcp-mux"));
        Assert.Equal("111 opus/48000/2", audio.Attribute("rtpmap"));
        Assert.Contains("4242 cname:persona", audio.Attributes("ssrc"));
        Assert.Equal(video.Audio.OpusPayloadType, SdpAudioSection.FindOpus(audio));
        var videoSection = parsed.Media[1];
        string streamOf(SdpMediaSection m) => m.Attribute("msid")!.Split(' ')[0];
        Assert.Equal(streamOf(videoSection), streamOf(audio));

        Assert.Equal(50000, videoSection.Port);
        Assert.Equal("1", videoSection.Attribute("mid"));
        Assert.Equal(96, videoSection.FindPayloadType("VP8"));
        Assert.True(videoSection.HasAttribute("sendrecv"));
        Assert.Contains("a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host", videoSection.Lines);

        // Our client role reads this answer back: the bundled video m-line and the audio beside it.
        var read = SdpNegotiation.ReadAnswer(answer);
        Assert.Equal("1", read.Mid);
        Assert.Equal("0", read.Audio?.Mid);
        Assert.Single(read.RemoteCandidates);
    }

    /// <summary>An audio m-line without Opus is still rejected (port 0, mid echoed, RFC 8829 section 5.3.1) and left out of the bundle.</summary>
    [Fact]
    public void Audio_without_opus_is_rejected_with_port_0_and_video_alone_in_the_bundle()
    {
        var offerText = TestData.Text("chrome156-audio-video-offer.sdp").Replace("opus/48000/2", "speex/48000", StringComparison.Ordinal);
        var (answer, video) = SdpNegotiation.CreateAnswer(offerText, Local());
        Assert.Null(video.Audio);
        var parsed = SdpDescription.Parse(answer);
        Assert.Contains("a=group:BUNDLE 1", answer.Split("\r\n"));
        var audio = parsed.Media[0];
        Assert.Equal(0, audio.Port);
        Assert.Equal("0", audio.Attribute("mid"));
        Assert.True(audio.HasAttribute("inactive"));
        Assert.DoesNotContain(audio.Lines, l => l.StartsWith("a=ice-", StringComparison.Ordinal) || l.StartsWith("a=ssrc", StringComparison.Ordinal)
            || l.StartsWith("a=rtpmap", StringComparison.Ordinal));
        Assert.Null(SdpNegotiation.ReadAnswer(answer).Audio);
    }

    /// <summary>A receive-only player (WHEP) offering recvonly audio gets sendonly Opus with our SSRC.</summary>
    [Fact]
    public void Recvonly_audio_offer_gets_sendonly_opus_with_our_ssrc()
    {
        var offerText = TestData.Text("chrome156-audio-video-offer.sdp").Replace("a=sendrecv", "a=recvonly", StringComparison.Ordinal);
        var (answer, video) = SdpNegotiation.CreateAnswer(offerText, Local() with { AudioSsrc = 77 });
        Assert.Equal("sendonly", video.Audio?.LocalDirection);
        var audio = SdpDescription.Parse(answer).Media[0];
        Assert.True(audio.HasAttribute("sendonly"));
        Assert.Equal([77u], audio.Ssrcs());
    }

    [Fact]
    public void Payload_type_is_taken_from_the_offer()
    {
        var firefoxLike = Offer.Replace("a=rtpmap:96 VP8/90000", "a=rtpmap:120 VP8/90000", StringComparison.Ordinal)
            .Replace("a=rtpmap:120 ulpfec/90000", "a=rtpmap:121 ulpfec/90000", StringComparison.Ordinal);
        var (answer, video) = SdpNegotiation.CreateAnswer(firefoxLike, Local());
        Assert.Equal(120, video.PayloadType);
        Assert.Contains("a=rtpmap:120 VP8/90000", answer, StringComparison.Ordinal);
    }

    [Fact]
    public void Recvonly_offer_gets_a_sendonly_answer()
    {
        var (answer, video) = SdpNegotiation.CreateAnswer(Offer.Replace("a=sendrecv", "a=recvonly", StringComparison.Ordinal), Local());
        Assert.Equal("sendonly", video.LocalDirection);
        Assert.Contains("a=sendonly\r\n", answer, StringComparison.Ordinal);
    }

    [Fact]
    public void Offer_without_a_common_codec_is_rejected_naming_offered_and_supported_codecs()
    {
        var noCommon = Offer.Replace("a=rtpmap:96 VP8/90000", "a=rtpmap:96 H263/90000", StringComparison.Ordinal)
            .Replace(" H264/90000", " H265/90000", StringComparison.Ordinal);
        var e = Assert.Throws<SdpException>(() => SdpNegotiation.CreateAnswer(noCommon, Local()));
        Assert.Contains("H263, rtx, H265, AV1", e.Message, StringComparison.Ordinal);
        Assert.Contains("supports VP8 and H264", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Offer_without_dtls_is_rejected_with_a_clear_message()
    {
        var noFingerprint = string.Join("\r\n", Offer.Split("\r\n").Where(l => !l.StartsWith("a=fingerprint", StringComparison.Ordinal)));
        Assert.Contains("DTLS", Assert.Throws<SdpException>(() => SdpNegotiation.CreateAnswer(noFingerprint, Local())).Message, StringComparison.Ordinal);
        var plainRtp = Offer.Replace("UDP/TLS/RTP/SAVPF", "RTP/AVP", StringComparison.Ordinal);
        Assert.Contains("DTLS", Assert.Throws<SdpException>(() => SdpNegotiation.CreateAnswer(plainRtp, Local())).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("v=1\r\n")]
    [InlineData("v=0\r\nm=video x\r\n")]
    public void Garbage_is_rejected_as_sdp_exception(string text) =>
        Assert.Throws<SdpException>(() => SdpNegotiation.CreateAnswer(text, Local()));
}
