using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace PersonaLive.Web.Tests.Architecture;

/// <summary>
/// The product assemblies hold product code only: benchmarks, fakes, test engines, the fuzzer, the tiny
/// model set and the browser launchers live in PersonaLive.Benchmarks and PersonaLive.Testing, which the
/// app (and the Docker image) never ships. Fails the moment such a type returns to a product assembly.
/// </summary>
public sealed class ProductAssemblyContentTests
{
    public static TheoryData<string> ProductAssemblies => new(ProductContentRule.ProductAssemblies);

    [Theory]
    [MemberData(nameof(ProductAssemblies))]
    public void Product_assembly_contains_no_benchmark_fake_or_test_type(string assembly)
    {
        var (types, references) = Read(assembly);
        Assert.True(types.Count > 20, $"{assembly}: only {types.Count} types read; the reader is broken.");
        var violations = ProductContentRule.Violations(types, references);
        Assert.True(violations.Count == 0, $"{assembly} ships test or benchmark code: {string.Join(", ", violations)}");
    }

    [Fact]
    public void Rule_flags_each_kind_of_test_code()
    {
        // The checker itself must catch each kind, or the test above could never fail.
        var violations = ProductContentRule.Violations(
            [
                "PersonaLive.Web.Live.Sessions.LiveSession", "PersonaLive.WebRtc.Benchmarks.SrtpBenchmark",
                "PersonaLive.Web.Live.Diagnostics.DelayedEchoEngine", "PersonaLive.WebRtc.Diagnostics.ParserFuzzer",
                "PersonaLive.Inference.Diffusion.TinyModelSet", "PersonaLive.TestSupport.StockChromium",
                "PersonaLive.Web.Live.SyntheticLiveClient",
            ],
            ["System.Runtime", "PersonaLive.Testing", "xunit.v3.assert"]);
        Assert.Equal(
            [
                "PersonaLive.WebRtc.Benchmarks.SrtpBenchmark", "PersonaLive.Web.Live.Diagnostics.DelayedEchoEngine",
                "PersonaLive.WebRtc.Diagnostics.ParserFuzzer", "PersonaLive.Inference.Diffusion.TinyModelSet",
                "PersonaLive.TestSupport.StockChromium", "PersonaLive.Web.Live.SyntheticLiveClient",
                "reference PersonaLive.Testing", "reference xunit.v3.assert",
            ],
            violations);
    }

    private static (List<string> Types, List<string> References) Read(string assembly)
    {
        var path = Path.Combine(AppContext.BaseDirectory, assembly + ".dll");
        Assert.True(File.Exists(path), $"{path} not found next to the tests.");
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var types = md.TypeDefinitions.Select(md.GetTypeDefinition)
            .Select(t => md.GetString(t.Namespace) + "." + md.GetString(t.Name))
            .Where(n => !n.StartsWith('.') && !n.Contains('<', StringComparison.Ordinal))
            .ToList();
        var references = md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name)).ToList();
        return (types, references);
    }
}

/// <summary>What counts as test or benchmark code in a product assembly, as data.</summary>
internal static class ProductContentRule
{
    public static readonly string[] ProductAssemblies = ["PersonaLive.Web", "PersonaLive.Inference", "PersonaLive.WebRtc"];

    private static readonly string[] ForbiddenNamespaceParts = ["Benchmarks", "Testing", "TestSupport", "Fakes"];

    private static readonly string[] ForbiddenNameParts =
        ["Benchmark", "Fuzzer", "Fake", "Echo", "Tiny", "Synthetic", "StockChromium", "StockFirefox", "TestNetwork", "TestTurn", "LossyUdp", "LoopbackRun"];

    private static readonly string[] ForbiddenReferencePrefixes = ["PersonaLive.Testing", "PersonaLive.Benchmarks", "xunit", "Microsoft.Playwright", "CsCheck"];

    public static List<string> Violations(IEnumerable<string> types, IEnumerable<string> references) =>
        types.Where(IsTestCode)
            .Concat(references.Where(r => ForbiddenReferencePrefixes.Any(p => r.StartsWith(p, StringComparison.Ordinal))).Select(r => "reference " + r))
            .ToList();

    private static bool IsTestCode(string fullName)
    {
        int dot = fullName.LastIndexOf('.');
        var ns = fullName[..dot].Split('.');
        var name = fullName[(dot + 1)..];
        return ns.Any(p => ForbiddenNamespaceParts.Contains(p, StringComparer.Ordinal))
            || ForbiddenNameParts.Any(p => name.Contains(p, StringComparison.Ordinal));
    }
}
