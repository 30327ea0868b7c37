using System.Text;

namespace PersonaLive.WebRtc.Sdp;

/// <summary>
/// RTX in SDP (RFC 4588 section 8): a payload type <c>a=rtpmap:&lt;rtx&gt; rtx/90000</c> tied to the media
/// payload type by <c>a=fmtp:&lt;rtx&gt; apt=&lt;media&gt;</c> (section 8.1), and the sender's retransmission
/// SSRC paired with its media SSRC by <c>a=ssrc-group:FID &lt;media&gt; &lt;rtx&gt;</c> (RFC 5576 section 4.2,
/// the flow-identification semantics of RFC 5888). We use RTX only when the remote side offers it for
/// the chosen codec; otherwise repair is plain NACK.
/// </summary>
public static class SdpRtx
{
    /// <summary>The remote side's RTX payload type for <paramref name="mediaPayloadType"/>, or -1.</summary>
    public static int FindPayloadType(SdpMediaSection m, int mediaPayloadType)
    {
        foreach (int pt in m.PayloadTypesOf("rtx"))
        {
            if (m.FormatParameters(pt).TryGetValue("apt", out var apt) && int.TryParse(apt, out int value) && value == mediaPayloadType
                && pt != mediaPayloadType)
            {
                return pt;
            }
        }

        return -1;
    }

    /// <summary>The RTX SSRC the remote side pairs with <paramref name="mediaSsrc"/> (or with its first SSRC when 0), or 0.</summary>
    public static uint FindRemoteSsrc(SdpMediaSection m, uint mediaSsrc = 0)
    {
        foreach (var group in m.Attributes("ssrc-group"))
        {
            var parts = group.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 3 && parts[0] == "FID" && uint.TryParse(parts[1], out uint media) && uint.TryParse(parts[2], out uint rtx)
                && (mediaSsrc == 0 || media == mediaSsrc))
            {
                return rtx;
            }
        }

        return 0;
    }

    /// <summary>The rtpmap and fmtp lines of our RTX payload type.</summary>
    public static void AppendCodecLines(StringBuilder body, int rtxPayloadType, int mediaPayloadType)
    {
        body.Append($"a=rtpmap:{rtxPayloadType} rtx/90000\r\n");
        body.Append($"a=fmtp:{rtxPayloadType} apt={mediaPayloadType}\r\n");
    }

    /// <summary>The RTX SSRC's own lines (it shares the media's cname and msid); the FID group line comes before the media SSRC's.</summary>
    public static void AppendSsrcLines(StringBuilder body, LocalMediaParameters local)
    {
        body.Append($"a=ssrc:{local.RtxSsrc} cname:{local.Cname}\r\n");
        body.Append($"a=ssrc:{local.RtxSsrc} msid:{local.StreamId} {local.TrackId}\r\n");
    }
}
