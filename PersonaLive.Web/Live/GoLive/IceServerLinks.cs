namespace PersonaLive.Web.Live.GoLive;

/// <summary>One ICE server a WHIP server announced (RFC 9725 section 4.6).</summary>
internal sealed record IceServerLink(string Url, string? Username, string? Credential);

/// <summary>
/// Reads the <c>Link: &lt;stun:...&gt;; rel="ice-server"; username="..."; credential="..."</c> headers of a WHIP
/// answer (RFC 9725 section 4.6, RFC 8288 link syntax). Links with another rel, or whose target is not a
/// stun:/turn:/turns: URI, are skipped. Pure: tested with header vectors.
/// </summary>
internal static class IceServerLinks
{
    public static IReadOnlyList<IceServerLink> Parse(IEnumerable<string> headerValues)
    {
        ArgumentNullException.ThrowIfNull(headerValues);
        var result = new List<IceServerLink>();
        foreach (var value in headerValues)
        {
            foreach (var link in SplitLinks(value))
            {
                int open = link.IndexOf('<', StringComparison.Ordinal), close = link.IndexOf('>', StringComparison.Ordinal);
                if (open < 0 || close < open) continue;
                string url = link[(open + 1)..close].Trim();
                var p = Params(link[(close + 1)..]);
                if (!p.TryGetValue("rel", out var rel) || !rel.Split(' ').Contains("ice-server", StringComparer.OrdinalIgnoreCase)) continue;
                if (!(url.StartsWith("stun:", StringComparison.OrdinalIgnoreCase) || url.StartsWith("turn:", StringComparison.OrdinalIgnoreCase)
                    || url.StartsWith("turns:", StringComparison.OrdinalIgnoreCase))) continue;
                result.Add(new IceServerLink(url, p.GetValueOrDefault("username"), p.GetValueOrDefault("credential")));
            }
        }

        return result;
    }

    /// <summary>Splits a header value at the commas between links (not inside quotes or angle brackets).</summary>
    private static IEnumerable<string> SplitLinks(string value)
    {
        int start = 0;
        bool quoted = false, bracket = false;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '"' && !bracket) quoted = !quoted;
            else if (c == '<' && !quoted) bracket = true;
            else if (c == '>' && !quoted) bracket = false;
            else if (c == ',' && !quoted && !bracket)
            {
                yield return value[start..i];
                start = i + 1;
            }
        }

        yield return value[start..];
    }

    private static Dictionary<string, string> Params(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) continue;
            result[part[..eq].Trim()] = part[(eq + 1)..].Trim().Trim('"');
        }

        return result;
    }
}
