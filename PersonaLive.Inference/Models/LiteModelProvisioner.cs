using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Tflite;

namespace PersonaLive.Inference.Models;

/// <summary>
/// Provisions the lite engine's two face models into a model directory (docs/lite-engine.md): <c>npm pack</c>
/// the pinned <c>@mediapipe/face_mesh</c> tarball, verify its SHA-512, cut <c>face_detection_short_range.tflite</c>
/// and <c>face_landmark.tflite</c> out of the Emscripten asset package by the loader's byte ranges, verify
/// their SHA-256, convert them to ONNX with <see cref="TfliteToOnnxConverter"/>, and write them next to the
/// package's licence notice. Used lazily by <c>LiteEngineFactory.WarmUpAsync</c> and ahead of time by the
/// CLI (<c>./persona.sh models</c>). Provisioning is all or nothing: the three files are written into a
/// staging folder, moved into place, and a completion marker listing them is written last, so a crash at any
/// point leaves a directory that <see cref="IsProvisioned"/> reports as not provisioned.
/// </summary>
public sealed class LiteModelProvisioner(ILogger<LiteModelProvisioner>? logger = null)
{
    public const string PackageSpec = "@mediapipe/face_mesh@0.4.1657299874";
    public const string PackageSha512 = "Jdza+77HjDH4SQ6/DAYmnKUYdh2fU1GbhuGqXZbkK5rnJKpZLZe5KQeJmwUq9dmkYkCPSq4oe9vmcuveRPpwag==";
    public const string DetectorTflite = "face_detection_short_range.tflite";
    public const string DetectorTfliteSha256 = "3bc182eb9f33925d9e58b5c8d59308a760f4adea8f282370e428c51212c26633";
    public const string LandmarkTflite = "face_landmark.tflite";
    public const string LandmarkTfliteSha256 = "c603fa6149219a3e9487dc9abd7a0c24474c77263273d24868378cdf40aa26d1";

    /// <summary>Converted detector in the model directory.</summary>
    public const string DetectorOnnx = "face_detection_short_range.onnx";
    /// <summary>Converted landmark model in the model directory (named by the converter's generation, see <see cref="MarkerFile"/>).</summary>
    public const string LandmarkOnnx = "face_landmark-2.onnx";
    /// <summary>Licence notice of the source package, written next to the models.</summary>
    public const string NoticeFile = "MEDIAPIPE-FACE-MESH-NOTICE.txt";
    /// <summary>
    /// Completion marker, written last: one line per provisioned file (name, size, SHA-256). Its number is the
    /// converter's generation, as is the landmark model's file name: a directory converted by an earlier one
    /// (generation 1 wrote PRELU as the slow <c>PRelu</c> operator) lacks this marker and is provisioned again,
    /// while the earlier files stay, so an older build sharing the directory keeps working.
    /// </summary>
    public const string MarkerFile = "lite-models-2.complete";

    private static readonly string[] ProvisionedFiles = [DetectorOnnx, LandmarkOnnx, NoticeFile];

    /// <summary>What a person should do when automatic provisioning is impossible.</summary>
    public static string HowToProvision(string modelDirectory) =>
        $"Provision the lite engine's models on a machine with Node.js/npm and network access by running `./persona.sh models` " +
        $"(or `dotnet run --project PersonaLive.Web -- models`), then copy {DetectorOnnx}, {LandmarkOnnx}, {NoticeFile} and {MarkerFile} into {modelDirectory}.";

    private readonly ILogger _logger = logger ?? NullLogger<LiteModelProvisioner>.Instance;

    /// <summary>The npm executable (default <c>npm</c> from PATH).</summary>
    public string NpmCommand { get; init; } = "npm";

    /// <summary>Extra environment variables for npm (e.g. <c>npm_config_cache</c>); null keeps the process environment.</summary>
    public IReadOnlyDictionary<string, string?>? NpmEnvironment { get; init; }

    /// <summary>
    /// True when the completion marker is present and every file it lists (both models and the notice) exists
    /// with the recorded size; a directory left by an interrupted provisioning never qualifies.
    /// </summary>
    public static bool IsProvisioned(string modelDirectory)
    {
        var marker = Path.Combine(modelDirectory, MarkerFile);
        if (!File.Exists(marker)) return false;
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(marker))
        {
            var parts = line.Split(' ');
            if (parts.Length != 3 || !long.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out var size)) return false;
            var file = new FileInfo(Path.Combine(modelDirectory, parts[0]));
            if (!file.Exists || file.Length != size) return false;
            listed.Add(parts[0]);
        }
        return ProvisionedFiles.All(listed.Contains);
    }

    /// <summary>
    /// Provisions the models unless present. <paramref name="downloadCache"/> optionally keeps the verified
    /// tarball for reuse. Throws <see cref="ModelProvisioningException"/> with guidance on failure.
    /// </summary>
    public async Task ProvisionAsync(string modelDirectory, IProgress<EngineStatus>? progress, CancellationToken ct, string? downloadCache = null)
    {
        if (IsProvisioned(modelDirectory))
        {
            progress?.Report(new EngineStatus(EngineState.Provisioning, "Face models already provisioned.", 1));
            return;
        }
        void Report(string message, double fraction)
        {
            _logger.LogInformation("Lite model provisioning: {Message}", message);
            progress?.Report(new EngineStatus(EngineState.Provisioning, message, fraction));
        }

        Report($"Downloading {PackageSpec} with npm...", 0.05);
        var tgz = await NpmPackageFetcher.PackAsync(PackageSpec, PackageSha512, downloadCache, HowToProvision(modelDirectory), ct, NpmCommand, NpmEnvironment).ConfigureAwait(false);

        Report("Verified the package tarball (SHA-512); extracting face models...", 0.4);
        var files = NpmPackageFetcher.ReadFiles(tgz, n => n is "package/face_mesh_solution_packed_assets_loader.js"
            or "package/face_mesh_solution_packed_assets.data" or "package/package.json" or "package/face_mesh.js" or "package/README.md");
        byte[] Need(string name) => files.TryGetValue("package/" + name, out var b) ? b
            : throw new ModelProvisioningException($"{PackageSpec} lacks {name}; the pinned tarball is unexpected.");
        var entries = EmscriptenPackage.ParseLoader(Encoding.UTF8.GetString(Need("face_mesh_solution_packed_assets_loader.js")));
        var blob = Need("face_mesh_solution_packed_assets.data");
        var detector = CutVerified(blob, entries, DetectorTflite, DetectorTfliteSha256);
        var landmarks = CutVerified(blob, entries, LandmarkTflite, LandmarkTfliteSha256);

        Directory.CreateDirectory(modelDirectory);
        File.Delete(Path.Combine(modelDirectory, MarkerFile)); // from here until the new marker, the directory is incomplete
        var staging = Directory.CreateDirectory(Path.Combine(modelDirectory, ".provisioning-" + Guid.NewGuid().ToString("N")));
        try
        {
            Report("Converting the face detector to ONNX...", 0.6);
            TfliteToOnnxConverter.Convert(TfliteReader.Read(detector), "blazeface_short_range").Save(Path.Combine(staging.FullName, DetectorOnnx));
            Report("Converting the face landmark model to ONNX...", 0.8);
            TfliteToOnnxConverter.Convert(TfliteReader.Read(landmarks), "face_landmark").Save(Path.Combine(staging.FullName, LandmarkOnnx));
            await File.WriteAllTextAsync(Path.Combine(staging.FullName, NoticeFile), Notice(files), ct).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();

            var marker = new StringBuilder();
            foreach (var name in ProvisionedFiles)
            {
                var bytes = await File.ReadAllBytesAsync(Path.Combine(staging.FullName, name), ct).ConfigureAwait(false);
                marker.Append(name).Append(' ').Append(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(' ').Append(NpmPackageFetcher.Sha256Hex(bytes)).Append('\n');
            }
            foreach (var name in ProvisionedFiles)
                File.Move(Path.Combine(staging.FullName, name), Path.Combine(modelDirectory, name), overwrite: true);
            var markerTemp = Path.Combine(staging.FullName, MarkerFile);
            await File.WriteAllTextAsync(markerTemp, marker.ToString(), CancellationToken.None).ConfigureAwait(false);
            File.Move(markerTemp, Path.Combine(modelDirectory, MarkerFile), overwrite: true);
        }
        finally
        {
            try { staging.Delete(recursive: true); } catch (IOException) { }
        }
        Report("Face models ready.", 1);
    }

    private static byte[] CutVerified(byte[] blob, IReadOnlyList<EmscriptenPackage.Entry> entries, string name, string sha256)
    {
        var bytes = EmscriptenPackage.Cut(blob, entries, name);
        var actual = NpmPackageFetcher.Sha256Hex(bytes);
        if (actual != sha256)
            throw new ModelProvisioningException($"{name} cut from {PackageSpec} has SHA-256 {actual}, expected {sha256}.");
        return bytes;
    }

    private static string Notice(Dictionary<string, byte[]> files)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{DetectorOnnx} and {LandmarkOnnx} were converted from {DetectorTflite} and {LandmarkTflite},");
        sb.AppendLine($"taken from the npm package {PackageSpec} (MediaPipe, by Google LLC).");
        sb.AppendLine("That package is distributed under the Apache License, Version 2.0; its package.json declares:");
        if (files.TryGetValue("package/package.json", out var pkg))
        {
            using var doc = System.Text.Json.JsonDocument.Parse(pkg);
            if (doc.RootElement.TryGetProperty("license", out var lic)) sb.AppendLine($"  \"license\": \"{lic.GetString()}\"");
        }
        sb.AppendLine("The licence text: https://www.apache.org/licenses/LICENSE-2.0");
        sb.AppendLine("Changes: the TFLite graphs were converted to ONNX (same weights, fp16 weights widened to fp32).");
        if (files.TryGetValue("package/face_mesh.js", out var js))
        {
            var head = Encoding.UTF8.GetString(js.AsSpan(0, Math.Min(js.Length, 200)));
            var end = head.IndexOf("*/", StringComparison.Ordinal);
            if (end > 0) sb.AppendLine().AppendLine("Notice in the package's face_mesh.js:").AppendLine(head[..(end + 2)].TrimStart('(', ')', 'f', 'u', 'n', 'c', 't', 'i', 'o', 'n', '{'));
        }
        if (files.TryGetValue("package/README.md", out var readme))
            sb.AppendLine().AppendLine("The package's README.md:").AppendLine(Encoding.UTF8.GetString(readme));
        return sb.ToString();
    }
}
