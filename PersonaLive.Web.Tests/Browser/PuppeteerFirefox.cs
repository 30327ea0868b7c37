using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using PersonaLive.TestSupport;

namespace PersonaLive.Web.Tests.Browser;

/// <summary>
/// What the Firefox pages reported: decoded output frames in the Studio and on the Watch page, and the
/// type of the Studio's local candidate on the nominated pair (host, srflx or relay).
/// </summary>
internal sealed record FirefoxRun(int StudioFrames, int WatchFrames, string? ShareUrl, string? UserAgent, string? StudioCandidateType, string? Error, string[]? Console);

/// <summary>
/// Stock Firefox ESR driven over WebDriver BiDi by puppeteer-core (a maintained library, run by Node.js).
/// The driver's package.json and package-lock.json live next to this file; <c>npm ci</c> installs exactly
/// that lock (npm checks every package's integrity hash against it) into a cache folder named after the
/// lock's hash, once. Node (and the Firefox it launches) runs inside the test network's namespace, so
/// Firefox's only candidate is the link address and the server's media socket is on the other end.
/// </summary>
internal static class PuppeteerFirefox
{
    private static readonly string Source = Path.Combine(AppContext.BaseDirectory, "Browser", "Firefox");
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    /// <summary>Skips (fails under CI) when Firefox ESR or Node.js/npm is missing.</summary>
    public static void Require()
    {
        if (!StockFirefox.IsInstalled) Prerequisite.Missing($"{StockFirefox.Path} is not installed (apt-get install firefox-esr).");
        if (!File.Exists("/usr/bin/node") && !File.Exists("/usr/local/bin/node")) Prerequisite.Missing("Node.js is not installed (apt-get install npm).");
    }

    /// <summary>
    /// Opens the Studio at <paramref name="baseUrl"/> in Firefox inside <paramref name="network"/>, waits for
    /// decoded output frames and, with <paramref name="watch"/>, shares and watches the output in a second
    /// tab. Screenshots go to <paramref name="screenshotDir"/> when given.
    /// </summary>
    public static async Task<FirefoxRun> RunAsync(TestNetwork network, string baseUrl, bool watch, string? screenshotDir, CancellationToken ct)
    {
        string driver = await InstallAsync(ct);
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = driver };
        foreach (var a in network.Inside("node", Path.Combine(driver, "drive-firefox.mjs"), baseUrl, screenshotDir ?? "", watch ? "--watch" : "").Skip(1))
            psi.ArgumentList.Add(a);
        psi.Environment["MOZ_HEADLESS"] = "1";
        using var node = Process.Start(psi)!;
        var stderr = node.StandardError.ReadToEndAsync(ct);
        var stdout = node.StandardOutput.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        try
        {
            await node.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            node.Kill(entireProcessTree: true);
            throw;
        }

        string output = await stdout, errors = await stderr;
        string? line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
        if (node.ExitCode != 0 || line is null) Assert.Fail($"The Firefox driver failed (exit {node.ExitCode}): {output}\n{errors}");
        return JsonSerializer.Deserialize<FirefoxRun>(line, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    /// <summary>The cache folder with the locked driver installed (installed on first use).</summary>
    private static async Task<string> InstallAsync(CancellationToken ct)
    {
        byte[] lockFile = await File.ReadAllBytesAsync(Path.Combine(Source, "package-lock.json"), ct);
        string home = Environment.GetEnvironmentVariable("HOME") ?? Path.GetTempPath();
        string dir = Path.Combine(home, ".cache", "personalive", "firefox-driver-" + Convert.ToHexString(SHA256.HashData(lockFile))[..16].ToLowerInvariant());
        await InstallGate.WaitAsync(ct);
        try
        {
            if (!File.Exists(Path.Combine(dir, "node_modules", "puppeteer-core", "package.json")))
            {
                string staging = dir + ".partial-" + Environment.ProcessId;
                if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
                Directory.CreateDirectory(staging);
                File.Copy(Path.Combine(Source, "package.json"), Path.Combine(staging, "package.json"));
                await File.WriteAllBytesAsync(Path.Combine(staging, "package-lock.json"), lockFile, ct);
                var psi = new ProcessStartInfo("npm") { WorkingDirectory = staging, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in new[] { "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error" }) psi.ArgumentList.Add(a);
                using var npm = Process.Start(psi)!;
                var err = npm.StandardError.ReadToEndAsync(ct);
                _ = await npm.StandardOutput.ReadToEndAsync(ct);
                await npm.WaitForExitAsync(ct);
                if (npm.ExitCode != 0) Assert.Fail($"npm ci of the Firefox driver failed (exit {npm.ExitCode}): {await err}");
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
                Directory.Move(staging, dir);
            }

            File.Copy(Path.Combine(Source, "drive-firefox.mjs"), Path.Combine(dir, "drive-firefox.mjs"), overwrite: true);
            return dir;
        }
        finally
        {
            InstallGate.Release();
        }
    }
}
