using System.Reflection;
using System.Xml.Linq;

namespace PersonaLive.Web.Tests.Architecture;

/// <summary>
/// Enforces the dependency rule of docs/architecture.md on the compiled assemblies: Inference and WebRtc never
/// reference each other, Web, or ASP.NET Core; Web references both; PersonaLive.Media (the shared frame
/// types) references nothing of ours and no package, so any of them may reference it.
/// </summary>
public sealed class DependencyRuleTests
{
    private static readonly string[] Libraries = ["PersonaLive.Inference", "PersonaLive.WebRtc"];

    public static TheoryData<string> LibraryNames => new(Libraries);

    [Theory]
    [MemberData(nameof(LibraryNames))]
    public void Library_references_no_sibling_no_web_and_no_aspnetcore(string library)
    {
        var violations = DependencyRule.Violations(LoadReferences(library), library);
        Assert.True(violations.Count == 0, $"{library} breaks the dependency rule: {string.Join(", ", violations)}");
    }

    [Theory]
    [MemberData(nameof(LibraryNames))]
    public void Library_project_file_declares_no_sibling_no_web_and_no_aspnetcore(string library)
    {
        // The compiled references miss a declared reference that no code uses yet; the project file does not.
        var project = XDocument.Load(Path.Combine(RepositoryRoot(), library, library + ".csproj"));
        var declared = project.Descendants()
            .Where(e => e.Name.LocalName is "ProjectReference" or "PackageReference" or "FrameworkReference")
            .Select(e => (Kind: e.Name.LocalName, Include: (string?)e.Attribute("Include") ?? ""))
            .Select(r => r.Kind == "ProjectReference" ? Path.GetFileNameWithoutExtension(r.Include.Replace('\\', '/')) : r.Include)
            .ToList();
        Assert.NotEmpty(declared);
        var violations = DependencyRule.Violations(declared, library);
        Assert.True(violations.Count == 0, $"{library}.csproj breaks the dependency rule: {string.Join(", ", violations)}");
    }

    [Fact]
    public void Media_references_only_the_runtime()
    {
        var refs = LoadReferences(DependencyRule.Media);
        Assert.All(refs, r => Assert.True(r.StartsWith("System", StringComparison.Ordinal), $"PersonaLive.Media references {r}"));
        var project = XDocument.Load(Path.Combine(RepositoryRoot(), DependencyRule.Media, DependencyRule.Media + ".csproj"));
        Assert.DoesNotContain(project.Descendants(), e => e.Name.LocalName is "ProjectReference" or "PackageReference" or "FrameworkReference");
        Assert.Contains(DependencyRule.Media, LoadReferences("PersonaLive.WebRtc"));
    }

    [Fact]
    public void Web_references_both_libraries()
    {
        var refs = LoadReferences("PersonaLive.Web");
        Assert.Contains("PersonaLive.Inference", refs);
        Assert.Contains("PersonaLive.WebRtc", refs);
    }

    [Fact]
    public void Rule_flags_a_forbidden_reference()
    {
        // The checker itself must catch each forbidden kind, or the tests above could never fail.
        var refs = new[] { "System.Runtime", "PersonaLive.WebRtc", "Microsoft.AspNetCore.Http", "PersonaLive.Web" };
        var violations = DependencyRule.Violations(refs, "PersonaLive.Inference");
        Assert.Equal(["PersonaLive.WebRtc", "Microsoft.AspNetCore.Http", "PersonaLive.Web"], violations);
        Assert.Empty(DependencyRule.Violations(["System.Runtime", "Microsoft.Extensions.Logging.Abstractions", "PersonaLive.Media"], "PersonaLive.WebRtc"));
        Assert.Equal(["PersonaLive.WebRtc"], DependencyRule.Violations(["System.Runtime", "PersonaLive.WebRtc"], DependencyRule.Media));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PersonaLive.slnx"))) return dir.FullName;
        }

        throw new InvalidOperationException($"PersonaLive.slnx not found above {AppContext.BaseDirectory}.");
    }

    private static string[] LoadReferences(string assemblyName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        Assert.True(File.Exists(path), $"{path} not found next to the tests.");
        // Reads metadata only; no code of the library runs.
        var names = AssemblyName.GetAssemblyName(path);
        using var stream = File.OpenRead(path);
        using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
        var md = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        Assert.Equal(assemblyName, names.Name);
        return md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name)).ToArray();
    }
}

/// <summary>The rule as data: what a library assembly may not reference.</summary>
internal static class DependencyRule
{
    private static readonly string[] ForbiddenPrefixes = ["Microsoft.AspNetCore"];
    private static readonly string[] OurAssemblies = ["PersonaLive.Inference", "PersonaLive.WebRtc", "PersonaLive.Web", Media];

    /// <summary>The shared frame types: every assembly may reference it, it references none of ours.</summary>
    public const string Media = "PersonaLive.Media";

    public static List<string> Violations(IEnumerable<string> references, string library) =>
        references.Where(r =>
                (OurAssemblies.Contains(r, StringComparer.Ordinal) && r != library && (r != Media || library == Media)) ||
                ForbiddenPrefixes.Any(p => r.StartsWith(p, StringComparison.Ordinal)))
            .ToList();
}
