using System.Text;

namespace PersonaLive.WebRtc.Sdp;

/// <summary>
/// Reads and writes the one audio m-line we accept: Opus (RFC 7587 section 7) over DTLS-SRTP, bundled
/// with the video (RFC 8843). An audio m-line without Opus, without DTLS-SRTP or with port 0 is left to
/// the caller to reject (port 0, RFC 8829 section 5.3.1), as every audio m-line was before voice.
/// </summary>
public static class SdpAudioSection
{
    /// <summary>The index and negotiation of the first usable audio m-line, or null when none is.</summary>
    public static (NegotiatedAudio Audio, int Index)? Read(SdpDescription sdp, bool isOffer)
    {
        for (int i = 0; i < sdp.Media.Count; i++)
        {
            var m = sdp.Media[i];
            if (m.Kind != "audio" || m.Port == 0 || m.Direction == "inactive"
                || !m.Protocol.Contains("TLS", StringComparison.Ordinal) || !m.Protocol.Contains("SAVP", StringComparison.Ordinal))
            {
                continue;
            }

            int? opus = FindOpus(m);
            string? mid = m.Attribute("mid");
            if (opus is null || mid is null || mid.Length is < 1 or > 32
                || !mid.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_' || ch == '-'))
            {
                continue;
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

            string prefix = opus.Value + " ";
            string? fmtp = m.Attributes("fmtp").FirstOrDefault(v => v.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
            var audio = new NegotiatedAudio
            {
                Mid = mid,
                OpusPayloadType = opus.Value,
                RemoteDirection = direction,
                LocalDirection = local,
                RemoteFmtp = fmtp is not null && fmtp.All(ch => ch is >= ' ' and <= '~') ? fmtp : null,
            };
            return (audio, i);
        }

        return null;
    }

    /// <summary>The payload type whose rtpmap is <c>opus/48000/2</c> (RFC 7587 section 7), or null.</summary>
    public static int? FindOpus(SdpMediaSection m)
    {
        foreach (var value in m.Attributes("rtpmap"))
        {
            int space = value.IndexOf(' ');
            if (space > 0 && int.TryParse(value[..space], out int pt) && pt is >= 0 and <= 127
                && value[(space + 1)..].Equals("opus/48000/2", StringComparison.OrdinalIgnoreCase))
            {
                return pt;
            }
        }

        return null;
    }

    /// <summary>Writes our audio m-line (Opus only) with the shared transport attributes of the bundle.</summary>
    public static void Append(StringBuilder body, NegotiatedAudio audio, LocalMediaParameters local, string setup)
    {
        int pt = audio.OpusPayloadType;
        body.Append($"m=audio 9 UDP/TLS/RTP/SAVPF {pt}\r\n");
        body.Append("c=IN IP4 0.0.0.0\r\n");
        body.Append($"a=ice-ufrag:{local.IceUfrag}\r\n");
        body.Append($"a=ice-pwd:{local.IcePassword}\r\n");
        body.Append($"a=fingerprint:sha-256 {local.FingerprintSha256}\r\n");
        body.Append($"a=setup:{setup}\r\n");
        body.Append($"a=mid:{audio.Mid}\r\n");
        body.Append($"a={audio.LocalDirection}\r\n");
        body.Append("a=rtcp-mux\r\n");
        body.Append($"a=rtpmap:{pt} opus/48000/2\r\n");
        body.Append($"a=fmtp:{pt} {audio.RemoteFmtp ?? "minptime=10;useinbandfec=1"}\r\n");
        if (audio.WeSend)
        {
            // Same stream id as the video: the browser puts both tracks in one sync group (lip sync).
            body.Append($"a=msid:{local.StreamId} {local.AudioTrackId}\r\n");
            body.Append($"a=ssrc:{local.AudioSsrc} cname:{local.Cname}\r\n");
            body.Append($"a=ssrc:{local.AudioSsrc} msid:{local.StreamId} {local.AudioTrackId}\r\n");
        }
    }

    /// <summary>An Opus-only audio negotiation for our own offers (client role): mid "1".</summary>
    public static NegotiatedAudio ForOffer(string direction, int payloadType = 111) => new()
    {
        Mid = "1",
        OpusPayloadType = payloadType,
        RemoteDirection = direction,
        LocalDirection = direction,
    };
}
