using System.Diagnostics;
using System.Security.Cryptography;

namespace PersonaLive.Web.Tests.Signalling;

/// <summary>
/// The npm package <c>whip-whep</c> (maintained WHIP and WHEP browser clients: plain ES modules
/// <c>whip.js</c>/<c>whep.js</c>), fetched at test time with <c>npm pack</c> into the test cache, checked
/// against its pinned SHA-512 before use, and unpacked with tar. The test serves its files to Chromium.
/// </summary>
internal static class WhipWhepJsPackage
{
    public const string Spec = "whip-whep@1.2.0";
    private const string Integrity = "sha512-CP+Tht3O/N6QLebW5LxsNKgzFN5KX6WinLr1SLs74feagYu+Gqy+0dw48p5RQuE+FlrM4xyOlOdW2UOQwljImA==";
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>The unpacked package folder (holds whip.js and whep.js), fetched on first use.</summary>
    public static async Task<string> InstallAsync(CancellationToken ct)
    {
        string home = Environment.GetEnvironmentVariable("HOME") ?? Path.GetTempPath();
        string dir = Path.Combine(home, ".cache", "personalive", "whip-whep-1.2.0");
        await Gate.WaitAsync(ct);
        try
        {
            if (File.Exists(Path.Combine(dir, "package", "whep.js"))) return Path.Combine(dir, "package");
            string staging = dir + ".partial-" + Environment.ProcessId;
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            Directory.CreateDirectory(staging);
            await RunAsync("npm", staging, ct, "pack", Spec, "--silent");
            var tgz = Directory.GetFiles(staging, "*.tgz").Single();
            var sha = "sha512-" + Convert.ToBase64String(SHA512.HashData(await File.ReadAllBytesAsync(tgz, ct)));
            if (sha != Integrity) Assert.Fail($"{Spec} does not match its pinned SHA-512 (got {sha}).");
            await RunAsync("tar", staging, ct, "xzf", tgz);
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            Directory.Move(staging, dir);
            return Path.Combine(dir, "package");
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task RunAsync(string program, string workingDirectory, CancellationToken ct, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var err = process.StandardError.ReadToEndAsync(ct);
        _ = await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0) Assert.Fail($"{program} {string.Join(' ', args)} failed (exit {process.ExitCode}): {await err}");
    }
}
