using System.Diagnostics;

namespace PersonaLive.Inference.Benchmarks;

/// <summary>
/// A real photographed face for tests and benchmarks without committing one: skimage's public-domain
/// NASA astronaut portrait, taken from the Debian package python3-skimage with <c>apt-get download</c> and
/// <c>dpkg -x</c>, cached as <c>astronaut.png</c> in a cache folder (default ~/.cache/personalive/test-data).
/// </summary>
public static class SampleFace
{
    public static string DefaultCacheDirectory
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("PERSONALIVE_TEST_DATA");
            return string.IsNullOrEmpty(env)
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "personalive", "test-data")
                : env;
        }
    }

    /// <summary>Path of the cached astronaut.png, fetching it when missing; throws with the reason when impossible.</summary>
    public static async Task<string> AstronautAsync(string? cacheDirectory, CancellationToken ct)
    {
        var dir = cacheDirectory ?? DefaultCacheDirectory;
        var target = Path.Combine(dir, "astronaut.png");
        if (File.Exists(target)) return target;
        Directory.CreateDirectory(dir);
        var work = Directory.CreateTempSubdirectory("personalive-skimage-");
        try
        {
            await RunAsync("apt-get", work.FullName, ct, "download", "python3-skimage").ConfigureAwait(false);
            var deb = Directory.GetFiles(work.FullName, "*.deb").FirstOrDefault()
                ?? throw new InvalidOperationException("apt-get download python3-skimage produced no package.");
            var extracted = Path.Combine(work.FullName, "x");
            await RunAsync("dpkg", work.FullName, ct, "-x", deb, extracted).ConfigureAwait(false);
            var png = Directory.GetFiles(extracted, "astronaut.png", SearchOption.AllDirectories).FirstOrDefault()
                ?? throw new InvalidOperationException("python3-skimage contains no astronaut.png.");
            File.Copy(png, target + ".tmp", overwrite: true);
            File.Move(target + ".tmp", target, overwrite: true);
            return target;
        }
        finally
        {
            try { work.Delete(recursive: true); } catch (IOException) { }
        }
    }

    private static async Task RunAsync(string file, string cwd, CancellationToken ct, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = cwd, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process p;
        try
        {
            p = Process.Start(psi) ?? throw new InvalidOperationException($"{file} did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"{file} is not available ({ex.Message}); the sample face comes from the Debian package python3-skimage.", ex);
        }
        using (p)
        {
            var err = p.StandardError.ReadToEndAsync(ct);
            _ = p.StandardOutput.ReadToEndAsync(ct);
            await p.WaitForExitAsync(ct).ConfigureAwait(false);
            if (p.ExitCode != 0)
                throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed (exit {p.ExitCode}): {(await err.ConfigureAwait(false)).Trim()}");
        }
    }
}
