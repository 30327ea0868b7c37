using System.Net;
using PersonaLive.WebRtc.Rtp.Extensions;

namespace PersonaLive.WebRtc.Sdp;

/// <summary>
/// Offer/answer for one bundled video m-line, VP8 or H.264 (<see cref="VideoCodecChoice"/>) (RFC 8829/9429 JSEP subset, RFC 8843 BUNDLE, RFC 5763
/// DTLS-SRTP, RFC 8839 ICE SDP): reads the remote description, rejects what we cannot use with an
/// <see cref="SdpException"/>, and writes our answer (ice-lite, setup:passive) or offer (setup:actpass).
/// </summary>
public static partial class SdpNegotiation
{
    private static readonly string[] SupportedFeedback = ["nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"];

    /// <summary>Builds the answer to a browser offer.</summary>
    public static (string Answer, NegotiatedVideo Video) CreateAnswer(string offerSdp, LocalMediaParameters local, IReadOnlyList<string>? preferredCodecs = null)
    {
        var offer = SdpDescription.Parse(offerSdp);
        var (video, videoIndex) = ReadRemote(offer, isOffer: true, preferredCodecs);
        var m = offer.Media[videoIndex];
        var audioRead = SdpAudioSection.Read(offer, isOffer: true) is { } read && read.Audio.Mid != video.Mid ? read : ((NegotiatedAudio Audio, int Index)?)null;
        int audioIndex = audioRead?.Index ?? -1;
        video = video with { Audio = audioRead?.Audio };
        var lines = new List<string>
        {
            "v=0",
            $"o=- {Random.Shared.NextInt64(1, long.MaxValue)} 2 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            audioRead is { } a ? (a.Index < videoIndex ? $"a=group:BUNDLE {a.Audio.Mid} {video.Mid}" : $"a=group:BUNDLE {video.Mid} {a.Audio.Mid}")
                : $"a=group:BUNDLE {video.Mid}",
            "a=ice-lite",
        };
        if (video.Extensions.AllowTwoByte)
        {
            lines.Add("a=extmap-allow-mixed"); // RFC 8285 section 6: echoed only when offered
        }

        if (video.WeSend || video.Audio is { WeSend: true })
        {
            lines.Add($"a=msid-semantic: WMS {local.StreamId}");
        }

        var body = new System.Text.StringBuilder();
        foreach (var line in lines)
        {
            body.Append(line).Append("\r\n");
        }

        for (int i = 0; i < offer.Media.Count; i++)
        {
            var section = offer.Media[i];
            if (i == audioIndex)
            {
                SdpAudioSection.Append(body, video.Audio!, local, setup: "passive");
                continue;
            }

            if (i != videoIndex)
            {
                // Rejected m-line: port 0, same kind/protocol, first format, mid echoed (RFC 8829 section 5.3.1).
                body.Append($"m={section.Kind} 0 {section.Protocol} {(section.Formats.Count > 0 ? section.Formats[0] : "0")}\r\n");
                body.Append("c=IN IP4 0.0.0.0\r\n");
                var rejectedMid = section.Attribute("mid");
                if (rejectedMid is not null && IsValidMid(rejectedMid))
                {
                    body.Append($"a=mid:{rejectedMid}\r\n");
                }

                body.Append("a=inactive\r\n");
                continue;
            }

            AppendVideoSection(body, video, local, setup: "passive", includeCandidates: true,
                rtcpRsize: m.HasAttribute("rtcp-rsize"),
                feedback: SupportedFeedback.Where(f => m.FeedbackFor(video.PayloadType).Contains(f)
                    && (f != "transport-cc" || video.Extensions.TransportCc > 0))); // feedback needs the sequence numbers
        }

        return (body.ToString(), video);
    }

    /// <summary>
    /// Builds an offer for the client role (our tests, a headless client): one video m-line with VP8 (or,
    /// with <paramref name="codec"/> H.264, Constrained Baseline packetization-mode 1 only), setup:actpass,
    /// and with <paramref name="audioDirection"/> a bundled Opus m-line. <paramref name="codecs"/>, when given,
    /// offers each of them in that order (payload types from <paramref name="payloadType"/> up) instead of <paramref name="codec"/>.
    /// </summary>
    public static string CreateOffer(LocalMediaParameters local, string direction = "sendrecv", int payloadType = 96, VideoCodec codec = VideoCodec.Vp8,
        string? audioDirection = null, IReadOnlyList<VideoCodec>? codecs = null, bool rtx = true)
    {
        ArgumentNullException.ThrowIfNull(local);
        var offered = (codecs is { Count: > 0 } ? codecs : [codec]).Distinct().Select((c, i) => (Codec: c, Pt: payloadType + i)).ToList();
        codec = offered[0].Codec;
        var body = new System.Text.StringBuilder();
        body.Append("v=0\r\n");
        body.Append($"o=- {Random.Shared.NextInt64(1, long.MaxValue)} 2 IN IP4 127.0.0.1\r\n");
        body.Append(audioDirection is null ? "s=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n" : "s=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n");
        body.Append("a=extmap-allow-mixed\r\n");
        body.Append($"a=msid-semantic: WMS {local.StreamId}\r\n");
        var video = new NegotiatedVideo
        {
            Mid = "0",
            PayloadType = payloadType,
            Codec = codec,
            H264 = codec == VideoCodec.H264 ? VideoCodecChoice.OfferedH264 : null,
            RemoteIceUfrag = "",
            RemoteIcePassword = "",
            RemoteFingerprintAlgorithm = "sha-256",
            RemoteFingerprint = [],
            RemoteDirection = direction,
            LocalDirection = direction,
            RemoteSetup = "actpass",
            RemoteIceLite = false,
            RemoteSsrcs = [],
            RemoteCandidates = [],
            Extensions = RtpExtensionMap.Default,
            RtxPayloadType = rtx ? payloadType + offered.Count : -1, // after every offered codec's type; resends of the first codec
        };
        AppendVideoSection(body, video, local, setup: "actpass", includeCandidates: local.Candidates.Count > 0,
            rtcpRsize: true, feedback: SupportedFeedback, offered);
        if (audioDirection is not null)
        {
            SdpAudioSection.Append(body, SdpAudioSection.ForOffer(audioDirection), local, setup: "actpass");
        }

        return body.ToString();
    }

    /// <summary>Reads the answer the remote side gave to our offer.</summary>
    public static NegotiatedVideo ReadAnswer(string answerSdp)
    {
        var sdp = SdpDescription.Parse(answerSdp);
        return ReadRemote(sdp, isOffer: false, null).Video with { Audio = SdpAudioSection.Read(sdp, isOffer: false)?.Audio };
    }

    private static void AppendVideoSection(System.Text.StringBuilder body, NegotiatedVideo video, LocalMediaParameters local,
        string setup, bool includeCandidates, bool rtcpRsize, IEnumerable<string> feedback, IReadOnlyList<(VideoCodec Codec, int Pt)>? offered = null)
    {
        int pt = video.PayloadType;
        offered ??= [(video.Codec, pt)];
        int port = includeCandidates && local.Candidates.Count > 0 ? local.Candidates[0].Port : 9;
        var types = string.Join(' ', offered.Select(o => o.Pt));
        body.Append(video.RtxPayloadType >= 0 ? $"m=video {port} UDP/TLS/RTP/SAVPF {types} {video.RtxPayloadType}\r\n" : $"m=video {port} UDP/TLS/RTP/SAVPF {types}\r\n");
        string ip = includeCandidates && local.Candidates.Count > 0 ? local.Candidates[0].Address.ToString() : "0.0.0.0";
        body.Append($"c=IN IP4 {ip}\r\n");
        body.Append($"a=ice-ufrag:{local.IceUfrag}\r\n");
        body.Append($"a=ice-pwd:{local.IcePassword}\r\n");
        body.Append($"a=fingerprint:sha-256 {local.FingerprintSha256}\r\n");
        body.Append($"a=setup:{setup}\r\n");
        body.Append($"a=mid:{video.Mid}\r\n");
        body.Append($"a={video.LocalDirection}\r\n");
        body.Append("a=rtcp-mux\r\n");
        if (rtcpRsize)
        {
            body.Append("a=rtcp-rsize\r\n");
        }

        foreach (var (id, uri) in video.Extensions.Entries())
        {
            body.Append($"a=extmap:{id} {uri}\r\n");
        }

        var fb = feedback.ToList();
        foreach (var (c, p) in offered)
        {
            VideoCodecChoice.AppendCodecLines(body, c, p, c == video.Codec ? video.H264 : null, fb);
        }

        if (video.RtxPayloadType >= 0)
        {
            SdpRtx.AppendCodecLines(body, video.RtxPayloadType, pt);
        }

        if (video.WeSend)
        {
            body.Append($"a=msid:{local.StreamId} {local.TrackId}\r\n");
            bool rtx = video.RtxPayloadType >= 0 && local.RtxSsrc != 0;
            if (rtx)
            {
                body.Append($"a=ssrc-group:FID {local.Ssrc} {local.RtxSsrc}\r\n");
            }

            body.Append($"a=ssrc:{local.Ssrc} cname:{local.Cname}\r\n");
            body.Append($"a=ssrc:{local.Ssrc} msid:{local.StreamId} {local.TrackId}\r\n");
            if (rtx)
            {
                SdpRtx.AppendSsrcLines(body, local); // after the media SSRC's lines: browsers take the first a=ssrc as the media
            }
        }

        if (includeCandidates)
        {
            int foundation = 1;
            foreach (var c in local.Candidates)
            {
                body.Append($"a=candidate:{foundation++} 1 udp 2130706431 {c.Address} {c.Port} typ host\r\n");
            }

            body.Append("a=end-of-candidates\r\n");
        }
    }

    private static (NegotiatedVideo Video, int Index) ReadRemote(SdpDescription sdp, bool isOffer, IReadOnlyList<string>? preferredCodecs)
    {
        string what = isOffer ? "offer" : "answer";
        int index = sdp.Media.FindIndex(m => m.Kind == "video" && m.Port != 0 && m.Direction != "inactive");
        if (index < 0)
        {
            throw new SdpException($"The {what} has no active video m-line.");
        }

        var m = sdp.Media[index];
        if (!m.Protocol.Contains("TLS", StringComparison.Ordinal) || !m.Protocol.Contains("SAVP", StringComparison.Ordinal))
        {
            throw new SdpException($"The {what}'s video m-line uses '{m.Protocol}', not DTLS-SRTP (UDP/TLS/RTP/SAVPF); this server only does DTLS-SRTP.");
        }

        var fingerprints = sdp.Attributes("fingerprint").Concat(m.Attributes("fingerprint")).Distinct().ToList();
        if (fingerprints.Count == 0)
        {
            throw new SdpException($"The {what} has no a=fingerprint line: DTLS is required.");
        }

        if (fingerprints.Count > 1)
        {
            throw new SdpException($"The {what} carries conflicting DTLS fingerprints.");
        }

        var (algorithm, digest) = ParseFingerprint(fingerprints[0]);
        var (codec, payloadType, h264) = VideoCodecChoice.Choose(m, preferredCodecs, what);

        string mid = m.Attribute("mid") ?? "0";
        if (!IsValidMid(mid))
        {
            throw new SdpException($"The {what}'s a=mid '{mid}' is not 1-32 characters of [A-Za-z0-9_-].");
        }

        string? ufrag = m.Attribute("ice-ufrag") ?? sdp.Attribute("ice-ufrag");
        string? pwd = m.Attribute("ice-pwd") ?? sdp.Attribute("ice-pwd");
        if (string.IsNullOrEmpty(ufrag) || string.IsNullOrEmpty(pwd) || ufrag.Length > 256 || pwd.Length > 256)
        {
            throw new SdpException($"The {what} has no usable a=ice-ufrag / a=ice-pwd.");
        }

        if (!isOffer && !m.HasAttribute("rtcp-mux"))
        {
            throw new SdpException("The answer does not accept rtcp-mux.");
        }

        string direction = m.Direction;
        string local = direction switch
        {
            "sendonly" => isOffer ? "recvonly" : "sendonly",
            "recvonly" => isOffer ? "sendonly" : "recvonly",
            _ => "sendrecv",
        };
        if (!isOffer)
        {
            local = direction switch { "sendonly" => "recvonly", "recvonly" => "sendonly", _ => "sendrecv" };
        }

        var feedback = m.FeedbackFor(payloadType);
        var candidates = new List<IPEndPoint>();
        foreach (var c in m.Attributes("candidate"))
        {
            var parts = c.Split(' ');
            if (parts.Length >= 8 && parts[2].Equals("udp", StringComparison.OrdinalIgnoreCase)
                && IPAddress.TryParse(parts[4], out var address) && int.TryParse(parts[5], out int port) && port is > 0 and < 65536)
            {
                candidates.Add(new IPEndPoint(address, port));
            }
        }

        var video = new NegotiatedVideo
        {
            Mid = mid,
            PayloadType = payloadType,
            Codec = codec,
            H264 = h264,
            RemoteIceUfrag = ufrag,
            RemoteIcePassword = pwd,
            RemoteFingerprintAlgorithm = algorithm,
            RemoteFingerprint = digest,
            RemoteDirection = direction,
            LocalDirection = local,
            RemoteSetup = m.Attribute("setup") ?? sdp.Attribute("setup") ?? "actpass",
            RemoteIceLite = sdp.Attributes("ice-lite").Any(),
            RemoteSsrcs = m.Ssrcs(),
            RemoteCandidates = candidates,
            Nack = feedback.Contains("nack"),
            Pli = feedback.Contains("nack pli"),
            Fir = feedback.Contains("ccm fir"),
            Remb = feedback.Contains("goog-remb"),
            ReducedSizeRtcp = m.HasAttribute("rtcp-rsize"),
            RtxPayloadType = SdpRtx.FindPayloadType(m, payloadType),
            RemoteRtxSsrc = SdpRtx.FindRemoteSsrc(m),
            Extensions = RtpExtensionMap.FromRemote(m.Attributes("extmap").Concat(sdp.Attributes("extmap")),
                sdp.Attributes("extmap-allow-mixed").Any() || m.HasAttribute("extmap-allow-mixed")),
        };
        return (video, index);
    }
}
