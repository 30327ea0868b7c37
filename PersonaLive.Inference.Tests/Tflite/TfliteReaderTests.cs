using System.Text;
using PersonaLive.Inference.Models;
using PersonaLive.Inference.Tests.Support;
using PersonaLive.Inference.Tflite;

namespace PersonaLive.Inference.Tests.Tflite;

/// <summary>The flatbuffer reader on the real MediaPipe models and on damaged input.</summary>
public sealed class TfliteReaderTests
{
    private static async Task<byte[]> TfliteAsync(string name)
    {
        await TestData.ModelsAsync(); // puts the verified tarball into the npm cache
        var tgz = await NpmPackageFetcher.PackAsync(LiteModelProvisioner.PackageSpec, LiteModelProvisioner.PackageSha512,
            Path.Combine(TestData.Root, "npm"), "", TestContext.Current.CancellationToken);
        var files = NpmPackageFetcher.ReadFiles(tgz, n => n.Contains("packed_assets", StringComparison.Ordinal));
        var entries = EmscriptenPackage.ParseLoader(Encoding.UTF8.GetString(files["package/face_mesh_solution_packed_assets_loader.js"]));
        return EmscriptenPackage.Cut(files["package/face_mesh_solution_packed_assets.data"], entries, name);
    }

    [Theory]
    [InlineData(LiteModelProvisioner.DetectorTflite, "input", new[] { 1, 128, 128, 3 }, new[] { "regressors", "classificators" })]
    [InlineData(LiteModelProvisioner.LandmarkTflite, "input_1", new[] { 1, 192, 192, 3 }, new[] { "conv2d_21", "conv2d_31" })]
    public async Task RealModelsHaveTheDocumentedInterfaceAndOnlyTheSupportedOps(string file, string input, int[] inputShape, string[] outputs)
    {
        var model = TfliteReader.Read(await TfliteAsync(file));
        var inTensor = model.Tensors[Assert.Single(model.Inputs)];
        Assert.Equal(input, inTensor.Name);
        Assert.Equal(inputShape, inTensor.Shape);
        Assert.Equal(outputs, model.Outputs.Select(o => model.Tensors[o].Name));
        var ops = model.Operators.Select(o => o.Op).Distinct().ToHashSet();
        Assert.Subset(Enum.GetValues<TfliteOp>().ToHashSet(), ops);
        Assert.Contains(TfliteOp.Conv2D, ops);
        Assert.Contains(TfliteOp.DepthwiseConv2D, ops);
        Assert.All(model.Operators, o => Assert.Equal(TfliteActivation.None, o.Activation));
        Assert.All(model.Operators.Where(o => o.Op is TfliteOp.Conv2D or TfliteOp.DepthwiseConv2D), o => Assert.Equal(1, o.DilationW));
    }

    [Fact]
    public async Task DamagedFilesFailWithAClearException()
    {
        Assert.Throws<InvalidDataException>(() => TfliteReader.Read(new byte[16]));
        var real = await TfliteAsync(LiteModelProvisioner.DetectorTflite);
        var truncated = real.AsMemory(0, real.Length / 3);
        var ex = Record.Exception(() => TfliteReader.Read(truncated));
        Assert.True(ex is InvalidDataException or NotSupportedException, $"unexpected {ex?.GetType().Name}: {ex?.Message}");
    }
}
