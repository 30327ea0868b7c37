namespace PersonaLive.WebRtc.Rtp.Extensions;

/// <summary>
/// The RTP header extensions we understand, by URI, and the ids one session negotiated for them
/// (RFC 8285 section 5: <c>a=extmap:&lt;id&gt; &lt;uri&gt;</c>). An id of 0 means "not negotiated".
/// We answer with the ids the offer chose (RFC 8285 section 6), so one map serves both directions.
/// Two-byte elements (ids 15..255, or values over 16 bytes) are allowed only after
/// <c>a=extmap-allow-mixed</c> (RFC 8285 section 6).
/// </summary>
public sealed record RtpExtensionMap
{
    /// <summary>24-bit 6.18 fixed-point send time in seconds (the REMB/GCC "abs-send-time").</summary>
    public const string AbsSendTimeUri = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";

    /// <summary>16-bit transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 2).</summary>
    public const string TransportCcUri = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

    /// <summary>The media section's mid (RFC 8843 section 15.1).</summary>
    public const string MidUri = "urn:ietf:params:rtp-hdrext:sdes:mid";

    /// <summary>Minimum and maximum playout delay the sender asks of the receiver's jitter buffer.</summary>
    public const string PlayoutDelayUri = "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";

    /// <summary>No extension negotiated.</summary>
    public static RtpExtensionMap None { get; } = new();

    public int AbsSendTime { get; init; }
    public int TransportCc { get; init; }
    public int Mid { get; init; }
    public int PlayoutDelay { get; init; }

    /// <summary>Both sides accept two-byte elements (<c>a=extmap-allow-mixed</c>).</summary>
    public bool AllowTwoByte { get; init; }

    /// <summary>True when any extension is negotiated.</summary>
    public bool Any => AbsSendTime + TransportCc + Mid + PlayoutDelay > 0;

    /// <summary>The negotiated (id, uri) pairs, for writing <c>a=extmap</c> lines.</summary>
    public IEnumerable<(int Id, string Uri)> Entries()
    {
        if (AbsSendTime > 0)
        {
            yield return (AbsSendTime, AbsSendTimeUri);
        }

        if (TransportCc > 0)
        {
            yield return (TransportCc, TransportCcUri);
        }

        if (PlayoutDelay > 0)
        {
            yield return (PlayoutDelay, PlayoutDelayUri);
        }

        if (Mid > 0)
        {
            yield return (Mid, MidUri);
        }
    }

    /// <summary>
    /// Keeps the supported extensions of remote <c>a=extmap</c> values ("id[/direction] uri [attributes]"),
    /// with the remote ids. Ids outside 1..14 are kept only when two-byte elements are allowed (1..255);
    /// malformed lines, duplicate ids and unknown URIs are skipped.
    /// </summary>
    public static RtpExtensionMap FromRemote(IEnumerable<string> extmapValues, bool allowTwoByte)
    {
        var map = new RtpExtensionMap { AllowTwoByte = allowTwoByte };
        var used = new HashSet<int>();
        foreach (var value in extmapValues)
        {
            var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2 || !int.TryParse(parts[0].Split('/')[0], out int id)
                || id < 1 || id > (allowTwoByte ? 255 : 14) || id == 15 || !used.Add(id))
            {
                continue;
            }

            map = parts[1] switch
            {
                AbsSendTimeUri when map.AbsSendTime == 0 => map with { AbsSendTime = id },
                TransportCcUri when map.TransportCc == 0 => map with { TransportCc = id },
                MidUri when map.Mid == 0 => map with { Mid = id },
                PlayoutDelayUri when map.PlayoutDelay == 0 => map with { PlayoutDelay = id },
                _ => map,
            };
        }

        return map;
    }

    /// <summary>The ids we use in our own offers (the ones a current Chromium offers, for easy comparison).</summary>
    public static RtpExtensionMap Default { get; } = new() { AbsSendTime = 2, TransportCc = 4, PlayoutDelay = 5, Mid = 9 };
}
