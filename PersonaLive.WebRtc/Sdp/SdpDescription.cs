namespace PersonaLive.WebRtc.Sdp;

/// <summary>
/// A parsed session description (RFC 8866): session-level lines and media sections, every line kept
/// verbatim (unknown ones included) so <see cref="ToString"/> round-trips the input. Enforces limits
/// against hostile input: 64 KB of text, 1 KB per line, 32 m-lines. Accepts CRLF and LF.
/// </summary>
public sealed class SdpDescription
{
    public const int MaxLength = 64 * 1024;
    public const int MaxLineLength = 1024;
    public const int MaxMediaSections = 32;

    private SdpDescription(List<string> sessionLines, List<SdpMediaSection> media)
    {
        SessionLines = sessionLines;
        Media = media;
    }

    public List<string> SessionLines { get; }

    public List<SdpMediaSection> Media { get; }

    /// <summary>Parses SDP text; throws <see cref="SdpException"/> when it is not usable SDP.</summary>
    public static SdpDescription Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength)
        {
            throw new SdpException($"SDP is {text.Length} characters; the limit is {MaxLength}.");
        }

        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int count = lines.Length;
        if (count > 0 && lines[^1].Length == 0)
        {
            count--;
        }

        var session = new List<string>();
        var media = new List<SdpMediaSection>();
        string? currentM = null;
        List<string>? current = null;
        for (int i = 0; i < count; i++)
        {
            string line = lines[i];
            if (line.Length > MaxLineLength)
            {
                throw new SdpException($"SDP line {i + 1} is longer than {MaxLineLength} characters.");
            }

            if (line.Length < 2 || line[1] != '=' || !char.IsAsciiLetterLower(line[0]))
            {
                throw new SdpException($"SDP line {i + 1} is not of the form 'x=value': '{Truncate(line)}'.");
            }

            if (i == 0 && line != "v=0")
            {
                throw new SdpException("SDP must start with 'v=0'.");
            }

            if (line[0] == 'm')
            {
                if (currentM is not null)
                {
                    media.Add(new SdpMediaSection(currentM, current!));
                }

                if (media.Count >= MaxMediaSections)
                {
                    throw new SdpException($"SDP has more than {MaxMediaSections} m-lines.");
                }

                currentM = line;
                current = new List<string>();
            }
            else if (current is not null)
            {
                current.Add(line);
            }
            else
            {
                session.Add(line);
            }
        }

        if (currentM is not null)
        {
            media.Add(new SdpMediaSection(currentM, current!));
        }

        if (session.Count == 0)
        {
            throw new SdpException("SDP is empty.");
        }

        return new SdpDescription(session, media);
    }

    public IEnumerable<string> Attributes(string name) => AttributeValues(SessionLines, name);

    public string? Attribute(string name) => Attributes(name).FirstOrDefault();

    /// <summary>Prints the description with CRLF line endings (RFC 8866 section 5).</summary>
    public override string ToString()
    {
        var sb = new System.Text.StringBuilder();
        foreach (var line in SessionLines)
        {
            sb.Append(line).Append("\r\n");
        }

        foreach (var m in Media)
        {
            sb.Append(m.MediaLine).Append("\r\n");
            foreach (var line in m.Lines)
            {
                sb.Append(line).Append("\r\n");
            }
        }

        return sb.ToString();
    }

    internal static IEnumerable<string> AttributeValues(IEnumerable<string> lines, string name)
    {
        string bare = "a=" + name;
        string withValue = bare + ":";
        foreach (var line in lines)
        {
            if (line.StartsWith(withValue, StringComparison.Ordinal))
            {
                yield return line[withValue.Length..];
            }
            else if (line == bare)
            {
                yield return string.Empty;
            }
        }
    }

    private static string Truncate(string s) => s.Length > 40 ? s[..40] + "..." : s;
}
