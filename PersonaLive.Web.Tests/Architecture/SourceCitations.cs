using System.Text.RegularExpressions;

namespace PersonaLive.Web.Tests.Architecture;

/// <summary>
/// Finds citations in source text that a reader of the repository cannot follow: notes that live outside
/// it (the old design notes by their bare names or folder), issue numbers, other projects' issue or pull
/// request references, and repository paths that do not exist.
/// </summary>
internal static partial class SourceCitations
{
    /// <summary>File kinds whose text is checked.</summary>
    public static readonly string[] Extensions = [".cs", ".razor", ".js", ".sh", ".py", ".csproj", ".props"];

    private static readonly string[] SkippedFolders = ["bin", "obj", "artifacts", "node_modules", ".git", "TestResults"];

    /// <summary>One citation that fails, with where it is and why.</summary>
    public sealed record Problem(string File, int Line, string Citation, string Why)
    {
        public override string ToString() => $"{File}:{Line}: '{Citation}' {Why}";
    }

    // A design note by its bare name (not under docs/), or the folder the notes live in outside the repository.
    [GeneratedRegex(@"(?<![\w/.-])(ARCHITECTURE\.md|structure\.md|webrtc\.md|lite-engine\.md|personalive-engine\.md)|shared/design")]
    private static partial Regex OutsideNote();

    // "issue 6", "issue #12", "owner/repo#720", "PR #1486".
    [GeneratedRegex(@"\b(?:[Ii]ssues? #?\d+|PR #\d+|[\w.-]+/[\w.-]+#\d+)")]
    private static partial Regex IssueReference();

    // A path into the repository: a top-level folder of ours, then a file name with an extension.
    [GeneratedRegex(@"(?<![\w/.-])(?:docs|tools|deploy|PersonaLive\.[A-Za-z.]+)/[\w./-]*?\.(?:md|cs|json|py|sh|yaml|yml|txt|sdp|razor|js|csproj|props)(?![\w])")]
    private static partial Regex RepositoryPath();

    /// <summary>Problems in one file's text; <paramref name="exists"/> says whether a repository-relative path exists.</summary>
    public static List<Problem> Check(string file, string text, Func<string, bool> exists)
    {
        var problems = new List<Problem>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            foreach (Match m in OutsideNote().Matches(lines[i]))
                problems.Add(new(file, i + 1, m.Value, "cites a note outside the repository; cite docs/... or state the fact"));
            foreach (Match m in IssueReference().Matches(lines[i]))
                problems.Add(new(file, i + 1, m.Value, "cites an issue or pull request; state the fact instead"));
            foreach (Match m in RepositoryPath().Matches(lines[i]))
                if (!exists(m.Value))
                    problems.Add(new(file, i + 1, m.Value, "names a path that does not exist in the repository"));
        }
        return problems;
    }

    /// <summary>Every checked source file under <paramref name="root"/>, as paths relative to it.</summary>
    public static IEnumerable<string> SourceFiles(string root)
    {
        var pending = new Stack<string>([root]);
        while (pending.TryPop(out var dir))
        {
            foreach (var sub in Directory.EnumerateDirectories(dir))
                if (!SkippedFolders.Contains(Path.GetFileName(sub), StringComparer.Ordinal)) pending.Push(sub);
            foreach (var file in Directory.EnumerateFiles(dir))
                if (Extensions.Contains(Path.GetExtension(file), StringComparer.Ordinal))
                    yield return Path.GetRelativePath(root, file).Replace('\\', '/');
        }
    }
}
