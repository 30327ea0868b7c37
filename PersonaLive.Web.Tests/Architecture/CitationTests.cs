namespace PersonaLive.Web.Tests.Architecture;

/// <summary>
/// The repository stands on its own: no source file cites a note outside it or an issue number, and every
/// repository path a source file names (docs/..., tools/..., PersonaLive.*/...) exists. So a renamed or
/// removed doc cannot leave comments pointing nowhere.
/// </summary>
public sealed class CitationTests
{
    [Fact]
    public void Source_files_cite_only_paths_that_exist_in_the_repository()
    {
        var root = RepositoryRoot();
        // The checker and this test hold bad citations on purpose, as examples.
        string[] examples = ["PersonaLive.Web.Tests/Architecture/SourceCitations.cs", "PersonaLive.Web.Tests/Architecture/CitationTests.cs"];
        var files = SourceCitations.SourceFiles(root).Where(f => !examples.Contains(f, StringComparer.Ordinal)).ToList();
        Assert.Contains("PersonaLive.Web/Live/Pipeline/LiveSession.cs", files); // the walk really covers the tree
        Assert.True(files.Count > 200, $"only {files.Count} source files found under {root}");
        var problems = files
            .SelectMany(f => SourceCitations.Check(f, File.ReadAllText(Path.Combine(root, f)), p => File.Exists(Path.Combine(root, p))))
            .ToList();
        Assert.True(problems.Count == 0, "Citations a reader cannot follow:\n" + string.Join('\n', problems));
    }

    [Theory]
    [InlineData("/// Decoding as in lite-engine.md, \"Detector\".", "lite-engine.md")]
    [InlineData("// see ARCHITECTURE.md step 3", "ARCHITECTURE.md")]
    [InlineData("// (webrtc.md section 2.12)", "webrtc.md")]
    [InlineData("# from /work/shared/design/personalive-engine.md", "shared/design")]
    [InlineData("/// Fallback chain (issue 6).", "issue 6")]
    [InlineData("// peers without renegotiation_info (pion/dtls#720)", "pion/dtls#720")]
    [InlineData("/// The data path (docs/architecture-old.md, step 4).", "docs/architecture-old.md")]
    [InlineData("# writes tools/export/missing_script.py", "tools/export/missing_script.py")]
    public void Each_kind_of_unfollowable_citation_is_found(string line, string citation)
    {
        var problems = SourceCitations.Check("X.cs", line, _ => false);
        Assert.Contains(problems, p => p.Citation == citation && p.Line == 1);
    }

    [Theory]
    [InlineData("/// The data path (docs/architecture.md, step 4).")]
    [InlineData("/// Decoding (docs/lite-engine.md) and the export script tools/export/export_onnx.py.")]
    [InlineData("var color = \"#2a2a2a\"; // a colour, not an issue")]
    [InlineData("// manifest at personalive/manifest.json inside the model directory")]
    public void Citations_that_resolve_pass(string line)
    {
        var root = RepositoryRoot();
        Assert.Empty(SourceCitations.Check("X.cs", line, p => File.Exists(Path.Combine(root, p))));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "PersonaLive.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"PersonaLive.slnx not found above {AppContext.BaseDirectory}.");
    }
}
