using PersonaLive.WebRtc.Sdp;

namespace PersonaLive.Web.Live.Signalling;

/// <summary>What an offer's first look found: a syntax problem, or its video codecs, ICE credentials and whether the media stack can negotiate one of them.</summary>
/// <param name="Problem">Why the text is not SDP we can read (answered 400), or null.</param>
/// <param name="HasVideo">Whether any m=video section is present.</param>
/// <param name="VideoCodecs">Encoding names of every video payload type offered (rtpmap), in offer order, without duplicates.</param>
/// <param name="IceUfrag">The offer's first ice-ufrag (a PATCH with another one asks for an ICE restart).</param>
/// <param name="SupportedCodecs">The codecs the WebRTC stack negotiates here (<c>Rtc:PreferredCodecs</c>), most preferred first.</param>
/// <param name="HasCommonCodec">True when the video section offers one of them in a form the stack takes (for H.264: profile and packetization mode).</param>
internal sealed record OfferReport(string? Problem, bool HasVideo, IReadOnlyList<string> VideoCodecs, string? IceUfrag,
    IReadOnlyList<string> SupportedCodecs, bool HasCommonCodec)
{
    /// <summary>The 422 text naming what was offered and what we support.</summary>
    public string NoCommonCodecMessage => HasVideo
        ? $"No common video codec: the offer has {(VideoCodecs.Count == 0 ? "no rtpmap codec" : string.Join(", ", VideoCodecs))}; this server supports {string.Join(", ", SupportedCodecs)}{VideoCodecChoice.H264Note(SupportedCodecs)}."
        : $"The offer has no video section; this server needs one video stream ({string.Join(", ", SupportedCodecs)}).";
}

/// <summary>
/// The signalling endpoints' first look at an SDP offer (RFC 8866 syntax: <c>type=value</c> lines, a
/// session part starting with <c>v=0</c>, then media sections): tells unreadable text (400 with the
/// line) apart from readable SDP without a codec in common (422), before anything is allocated. The
/// full negotiation (ICE, DTLS fingerprint, BUNDLE) stays with the WebRTC stack.
/// </summary>
internal static class OfferCheck
{
    /// <summary>Largest offer accepted (a browser offer with every codec is about 10 KB).</summary>
    public const int MaxOfferBytes = 64 * 1024;

    /// <summary>Reads <paramref name="sdp"/>; <paramref name="preference"/> is <c>Rtc:PreferredCodecs</c> (empty or null: the stack's default).</summary>
    public static OfferReport Inspect(string sdp, IReadOnlyList<string>? preference = null)
    {
        ArgumentNullException.ThrowIfNull(sdp);
        var lines = sdp.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        if (lines.Count == 0) return Bad("The body is empty; an SDP offer was expected.");
        if (lines[0] != "v=0") return Bad("Line 1 must be \"v=0\" (an SDP offer starts with the protocol version).");
        var codecs = new List<string>();
        bool inVideo = false, hasVideo = false, hasMedia = false;
        string? ufrag = null;
        for (int i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.Length < 2 || line[1] != '=' || !char.IsAsciiLetterLower(line[0]))
                return Bad($"Line {i + 1} is not an SDP line (type=value): \"{Shorten(line)}\".");
            if (line[0] == 'm')
            {
                var parts = line[2..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 4 || !int.TryParse(parts[1].Split('/')[0], out _))
                    return Bad($"Line {i + 1} is not a valid media line (m=<media> <port> <proto> <fmt> ...): \"{Shorten(line)}\".");
                hasMedia = true;
                inVideo = parts[0] == "video";
                hasVideo |= inVideo;
            }
            else if (line.StartsWith("a=ice-ufrag:", StringComparison.Ordinal))
            {
                ufrag ??= line["a=ice-ufrag:".Length..].Trim();
            }
            else if (inVideo && line.StartsWith("a=rtpmap:", StringComparison.Ordinal))
            {
                var name = line.Split(' ', 2) is [_, var encoding] ? encoding.Split('/')[0].Trim() : "";
                if (name.Length == 0) return Bad($"Line {i + 1} is not a valid rtpmap: \"{Shorten(line)}\".");
                if (name is not ("rtx" or "red" or "ulpfec" or "flexfec-03") && !codecs.Contains(name, StringComparer.OrdinalIgnoreCase)) codecs.Add(name);
            }
        }

        if (!hasMedia) return Bad("The offer has no media section (m= line).");
        return new OfferReport(null, hasVideo, codecs, ufrag, VideoCodecChoice.Supported(preference),
            hasVideo && VideoCodecChoice.HasCommonCodec(sdp, preference));
    }

    private static OfferReport Bad(string problem) => new(problem, false, [], null, [], false);

    private static string Shorten(string line) => line.Length <= 60 ? line : line[..60] + "…";
}
