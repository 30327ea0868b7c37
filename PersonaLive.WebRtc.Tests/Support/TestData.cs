namespace PersonaLive.WebRtc.Tests.Support;

/// <summary>Reads the vector files in TestData/ (key = value lines, '#' comments, hex with spaces allowed).</summary>
internal static class TestData
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    public static string Text(string name) => File.ReadAllText(PathOf(name));

    public static Dictionary<string, string> KeyValues(string name)
    {
        var result = new Dictionary<string, string>();
        foreach (var raw in File.ReadAllLines(PathOf(name)))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            int eq = line.IndexOf('=');
            result[line[..eq].Trim()] = line[(eq + 1)..].Trim();
        }

        return result;
    }

    public static byte[] Hex(string value) => Convert.FromHexString(value.Replace(" ", "", StringComparison.Ordinal));

    public static IEnumerable<string> DataLines(string name) =>
        File.ReadAllLines(PathOf(name)).Where(l => !l.TrimStart().StartsWith('#') && l.Contains('|'));
}
