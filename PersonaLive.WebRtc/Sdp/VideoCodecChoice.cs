using System.Text;

namespace PersonaLive.WebRtc.Sdp;

/// <summary>The video codecs we can negotiate.</summary>
public enum VideoCodec
{
    Vp8,
    H264,
}

/// <summary>The H.264 format agreed on: packetization-mode and the profile-level-id each side writes.</summary>
public sealed record H264Format(int PacketizationMode, H264ProfileLevelId RemoteProfileLevelId, H264ProfileLevelId LocalProfileLevelId, bool LevelAsymmetryAllowed)
{
    /// <summary>The level our encoder may use: our own with level asymmetry, else the lower of both (RFC 6184 section 8.2.2).</summary>
    public int SendLevelIdc => LevelAsymmetryAllowed ? LocalProfileLevelId.LevelIdc : Math.Min(LocalProfileLevelId.LevelIdc, RemoteProfileLevelId.LevelIdc);

    public string Fmtp => $"level-asymmetry-allowed=1;packetization-mode={PacketizationMode};profile-level-id={LocalProfileLevelId}";
}

/// <summary>
/// Picks the video codec of an m-line: the first codec of the preference list (configuration
/// <c>Rtc:PreferredCodecs</c>, default VP8 then H.264; a codec left out of the list is not negotiated)
/// that the remote side offers in a form we handle.
/// For H.264 that means a Constrained Baseline or Baseline profile-level-id (our encoder writes
/// Constrained Baseline, which every Baseline decoder reads) and packetization-mode 0 or 1; among
/// several such payload types mode 1 beats mode 0 and Constrained Baseline beats Baseline, then the
/// offer's order decides. Reports what was offered when nothing fits.
/// </summary>
public static class VideoCodecChoice
{
    /// <summary>Our default preference: VP8 first (the browsers' favourite), H.264 when it is the only common codec.</summary>
    public static readonly IReadOnlyList<string> DefaultPreference = ["VP8", "H264"];

    /// <summary>The codecs negotiated under <paramref name="preference"/> (the default list when it is empty), upper case, most preferred first.</summary>
    public static IReadOnlyList<string> Supported(IReadOnlyList<string>? preference) =>
        (preference is { Count: > 0 } ? preference : DefaultPreference).Select(p => p.ToUpperInvariant()).Where(p => p is "VP8" or "H264").Distinct().ToList();

    /// <summary>
    /// Whether the video m-line of <paramref name="offerSdp"/> has a codec we negotiate under <paramref name="preference"/>
    /// (the same test <see cref="Choose"/> makes, H.264 profiles and packetization modes included); false when
    /// the text is no SDP or has no video m-line. Lets signalling refuse an offer before allocating anything.
    /// </summary>
    public static bool HasCommonCodec(string offerSdp, IReadOnlyList<string>? preference)
    {
        try
        {
            var video = SdpDescription.Parse(offerSdp).Media.FirstOrDefault(m => m.Kind == "video" && m.Port != 0);
            if (video is null) return false;
            Choose(video, preference, "offer");
            return true;
        }
        catch (SdpException) { return false; }
        catch (FormatException) { return false; }
    }

    /// <summary>Chooses the codec; throws <see cref="SdpException"/> naming offered and supported codecs when none is common.</summary>
    public static (VideoCodec Codec, int PayloadType, H264Format? H264) Choose(SdpMediaSection m, IReadOnlyList<string>? preference, string what)
    {
        foreach (string name in preference is { Count: > 0 } ? preference : DefaultPreference)
        {
            if (name.Equals("VP8", StringComparison.OrdinalIgnoreCase) && m.FindPayloadType("VP8") is int vp8)
            {
                return (VideoCodec.Vp8, vp8, null);
            }

            if (name.Equals("H264", StringComparison.OrdinalIgnoreCase) && TryChooseH264(m, out int pt, out var format))
            {
                return (VideoCodec.H264, pt, format);
            }
        }

        var offered = m.Attributes("rtpmap").Select(v => v.Split(' ', 2).ElementAtOrDefault(1)?.Split('/')[0]).OfType<string>().Distinct().ToList();
        throw new SdpException($"The {what} has no video codec in common with this server: it offers {(offered.Count == 0 ? "none" : string.Join(", ", offered))}; "
            + $"this server supports {string.Join(" and ", Supported(preference))}{H264Note(preference)}.");
    }

    /// <summary>What "H264" means in our refusals: the profiles and packetization modes we take.</summary>
    public static string H264Note(IReadOnlyList<string>? preference) =>
        Supported(preference).Contains("H264") ? " (H264: Constrained Baseline or Baseline, packetization-mode 0 or 1)" : "";

    private static bool TryChooseH264(SdpMediaSection m, out int payloadType, out H264Format? format)
    {
        payloadType = -1;
        format = null;
        int bestScore = -1;
        foreach (int pt in m.PayloadTypesOf("H264"))
        {
            var fmtp = m.FormatParameters(pt);
            int mode = fmtp.TryGetValue("packetization-mode", out var pm) ? (int.TryParse(pm, out int v) ? v : -1) : 0;
            var profile = H264ProfileLevelId.Default;
            if (fmtp.TryGetValue("profile-level-id", out var pli) && !H264ProfileLevelId.TryParse(pli, out profile))
            {
                continue;
            }

            if (mode is not (0 or 1) || profile.Profile is not (H264Profile.ConstrainedBaseline or H264Profile.Baseline))
            {
                continue;
            }

            int score = mode * 2 + (profile.Profile == H264Profile.ConstrainedBaseline ? 1 : 0);
            if (score > bestScore)
            {
                bestScore = score;
                payloadType = pt;
                bool asymmetry = fmtp.TryGetValue("level-asymmetry-allowed", out var la) && la == "1";
                var ours = new H264ProfileLevelId(profile.ProfileIdc, profile.ProfileIop, H264ProfileLevelId.ConstrainedBaseline31.LevelIdc);
                format = new H264Format(mode, profile, asymmetry ? ours : ours.WithLevel(Math.Min(ours.LevelIdc, profile.LevelIdc)), asymmetry);
            }
        }

        return payloadType >= 0;
    }

    /// <summary>Writes the rtpmap/fmtp (and rtcp-fb) lines of the chosen codec.</summary>
    internal static void AppendCodecLines(StringBuilder body, VideoCodec codec, int pt, H264Format? h264, IEnumerable<string> feedback)
    {
        if (codec == VideoCodec.H264)
        {
            body.Append($"a=rtpmap:{pt} H264/90000\r\n");
            body.Append($"a=fmtp:{pt} {(h264 ?? OfferedH264).Fmtp}\r\n");
        }
        else
        {
            body.Append($"a=rtpmap:{pt} VP8/90000\r\n");
        }

        foreach (var fb in feedback)
        {
            body.Append($"a=rtcp-fb:{pt} {fb}\r\n");
        }
    }

    /// <summary>What we offer for H.264 in the client role: Constrained Baseline 3.1, packetization-mode 1, level asymmetry.</summary>
    public static H264Format OfferedH264 { get; } =
        new(1, H264ProfileLevelId.ConstrainedBaseline31, H264ProfileLevelId.ConstrainedBaseline31, LevelAsymmetryAllowed: true);
}
