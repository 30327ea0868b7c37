namespace PersonaLive.WebRtc.Sdp;

/// <summary>
/// One m= section of an SDP (RFC 8866 section 5.14): the m-line fields plus every following line kept
/// verbatim, so a parsed description prints back byte for byte.
/// </summary>
public sealed class SdpMediaSection
{
    public SdpMediaSection(string mediaLine, List<string> lines)
    {
        MediaLine = mediaLine;
        Lines = lines;
        var parts = mediaLine[2..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3 || !int.TryParse(parts[1].Split('/')[0], out int port) || port < 0 || port > 65535)
        {
            throw new SdpException($"Malformed m-line: '{mediaLine}'.");
        }

        Kind = parts[0];
        Port = port;
        Protocol = parts[2];
        Formats = parts[3..];
    }

    public string MediaLine { get; }

    /// <summary>Lines after the m-line, in order, without line endings.</summary>
    public List<string> Lines { get; }

    public string Kind { get; }
    public int Port { get; }
    public string Protocol { get; }
    public IReadOnlyList<string> Formats { get; }

    /// <summary>Values of every <c>a=name:value</c> (or bare <c>a=name</c>, value "") line.</summary>
    public IEnumerable<string> Attributes(string name) => SdpDescription.AttributeValues(Lines, name);

    public string? Attribute(string name) => Attributes(name).FirstOrDefault();

    public bool HasAttribute(string name) => Attributes(name).Any();

    /// <summary>sendrecv, sendonly, recvonly or inactive (default sendrecv, RFC 8866 section 6.7).</summary>
    public string Direction =>
        new[] { "sendrecv", "sendonly", "recvonly", "inactive" }.FirstOrDefault(HasAttribute) ?? "sendrecv";

    /// <summary>The payload type whose rtpmap names <paramref name="codec"/> at 90000 Hz, or null.</summary>
    public int? FindPayloadType(string codec)
    {
        foreach (var value in Attributes("rtpmap"))
        {
            int space = value.IndexOf(' ');
            if (space > 0 && int.TryParse(value[..space], out int pt)
                && value[(space + 1)..].Equals(codec + "/90000", StringComparison.OrdinalIgnoreCase))
            {
                return pt;
            }
        }

        return null;
    }

    /// <summary>Every payload type whose rtpmap names <paramref name="codec"/> at 90000 Hz, in the rtpmap order.</summary>
    public IReadOnlyList<int> PayloadTypesOf(string codec) => Attributes("rtpmap")
        .Select(v => (Space: v.IndexOf(' '), Value: v))
        .Where(x => x.Space > 0 && x.Value[(x.Space + 1)..].Equals(codec + "/90000", StringComparison.OrdinalIgnoreCase))
        .Select(x => int.TryParse(x.Value[..x.Space], out int pt) ? pt : -1).Where(pt => pt is >= 0 and <= 127).ToList();

    /// <summary>The <c>a=fmtp:&lt;pt&gt; k=v;k=v</c> parameters of a payload type (RFC 8866 section 6.15), keys lower-cased.</summary>
    public IReadOnlyDictionary<string, string> FormatParameters(int payloadType)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        string prefix = payloadType + " ";
        foreach (var value in Attributes("fmtp").Where(v => v.StartsWith(prefix, StringComparison.Ordinal)))
        {
            foreach (var pair in value[prefix.Length..].Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                int eq = pair.IndexOf('=');
                if (eq > 0)
                {
                    result[pair[..eq].Trim().ToLowerInvariant()] = pair[(eq + 1)..].Trim();
                }
            }
        }

        return result;
    }

    /// <summary>rtcp-fb values offered for a payload type (e.g. "nack", "nack pli", "goog-remb").</summary>
    public IReadOnlyList<string> FeedbackFor(int payloadType)
    {
        string prefix = payloadType + " ";
        return Attributes("rtcp-fb").Where(v => v.StartsWith(prefix, StringComparison.Ordinal) || v.StartsWith("* ", StringComparison.Ordinal))
            .Select(v => v[(v.IndexOf(' ') + 1)..]).ToList();
    }

    /// <summary>SSRCs from a=ssrc lines, in order of first appearance.</summary>
    public IReadOnlyList<uint> Ssrcs() => Attributes("ssrc")
        .Select(v => uint.TryParse(v.Split(' ')[0], out uint s) ? (uint?)s : null)
        .Where(s => s.HasValue).Select(s => s!.Value).Distinct().ToList();
}
