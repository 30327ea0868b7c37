using System.Text.Json;

namespace PersonaLive.Inference.Models;

/// <summary>
/// An Emscripten file package: one <c>.data</c> blob plus a loader script whose <c>loadPackage({...})</c>
/// call lists every file with its byte range. We parse that JSON instead of hard-coding offsets.
/// </summary>
public static class EmscriptenPackage
{
    /// <summary>A file inside the package: its path and [Start, End) byte range in the data blob.</summary>
    public sealed record Entry(string FileName, long Start, long End);

    /// <summary>Parses the loader script's <c>loadPackage</c> metadata.</summary>
    public static IReadOnlyList<Entry> ParseLoader(string loaderJs)
    {
        const string marker = "loadPackage({";
        var at = loaderJs.LastIndexOf(marker, StringComparison.Ordinal);
        if (at < 0) throw new InvalidDataException("The Emscripten loader has no loadPackage({...}) metadata.");
        var start = at + marker.Length - 1;
        var depth = 0;
        var end = -1;
        var inString = false;
        for (var i = start; i < loaderJs.Length && end < 0; i++)
        {
            var c = loaderJs[i];
            if (inString) { if (c == '\\') i++; else if (c == '"') inString = false; continue; }
            if (c == '"') inString = true;
            else if (c == '{') depth++;
            else if (c == '}' && --depth == 0) end = i;
        }
        if (end < 0) throw new InvalidDataException("The Emscripten loader's metadata is not terminated.");
        using var doc = JsonDocument.Parse(loaderJs.AsMemory(start, end - start + 1));
        return [.. doc.RootElement.GetProperty("files").EnumerateArray().Select(f => new Entry(
            f.GetProperty("filename").GetString() ?? "",
            f.GetProperty("start").GetInt64(),
            f.GetProperty("end").GetInt64()))];
    }

    /// <summary>Cuts the file whose name ends with <paramref name="fileName"/> out of the data blob.</summary>
    public static byte[] Cut(byte[] data, IReadOnlyList<Entry> entries, string fileName)
    {
        var e = entries.SingleOrDefault(x => x.FileName.EndsWith("/" + fileName, StringComparison.Ordinal))
            ?? throw new InvalidDataException($"The package lists no file named {fileName}.");
        if (e.Start < 0 || e.End > data.Length || e.End < e.Start)
            throw new InvalidDataException($"Byte range {e.Start}..{e.End} of {fileName} lies outside the {data.Length}-byte package.");
        return data.AsSpan((int)e.Start, (int)(e.End - e.Start)).ToArray();
    }
}
