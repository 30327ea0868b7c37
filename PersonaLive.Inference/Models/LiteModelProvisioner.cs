using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Tflite;

namespace PersonaLive.Inference.Models;

/// <summary>
/// Provisions the lite engine's two face models into a model directory (lite-engine.md): <c>npm pack</c>
/// the pinned <c>@mediapipe/face_mesh</c> tarball, verify its SHA-512, cut <c>face_detection_short_range.tflite</c>
/// and <c>face_landmark.tflite</c> out of the Emscripten asset package by the loader's byte ranges, verify
/// their SHA-256, convert them to ONNX with <see cref="TfliteToOnnxConverter"/>, and write them next to the
/// package's licence notice. Used lazily by <c>LiteEngineFactory.WarmUpAsync</c> and ahead of time by the
/// CLI (<c>./persona.sh models</c>).
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
    /// <summary>Converted landmark model in the model directory.</summary>
    public const string LandmarkOnnx = "face_landmark.onnx";
    /// <summary>Licence notice of the source package, written next to the models.</summary>
    public const string NoticeFile = "MEDIAPIPE-FACE-MESH-NOTICE.txt";

    /// <summary>What a person should do when automatic provisioning is impossible.</summary>
    public static string HowToProvision(string modelDirectory) =>
        $"Provision the lite engine's models on a machine with Node.js/npm and network access by running `./persona.sh models` " +
        $"(or `dotnet run --project PersonaLive.Web -- models`), then copy {DetectorOnnx} and {LandmarkOnnx} into {modelDirectory}.";

    private readonly ILogger _logger = logger ?? NullLogger<LiteModelProvisioner>.Instance;

    /// <summary>The npm executable (default <c>npm</c> from PATH).</summary>
    public string NpmCommand { get; init; } = "npm";

    /// <summary>True when both converted models are present in <paramref name="modelDirectory"/>.</summary>
    public static bool IsProvisioned(string modelDirectory) =>
        File.Exists(Path.Combine(modelDirectory, DetectorOnnx)) && File.Exists(Path.Combine(modelDirectory, LandmarkOnnx));

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
        var tgz = await NpmPackageFetcher.PackAsync(PackageSpec, PackageSha512, downloadCache, HowToProvision(modelDirectory), ct, NpmCommand).ConfigureAwait(false);

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
        Report("Converting the face detector to ONNX...", 0.6);
        TfliteToOnnxConverter.Convert(TfliteReader.Read(detector), "blazeface_short_range").Save(Path.Combine(modelDirectory, DetectorOnnx));
        Report("Converting the face landmark model to ONNX...", 0.8);
        TfliteToOnnxConverter.Convert(TfliteReader.Read(landmarks), "face_landmark").Save(Path.Combine(modelDirectory, LandmarkOnnx));

        await File.WriteAllTextAsync(Path.Combine(modelDirectory, NoticeFile), Notice(files), ct).ConfigureAwait(false);
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
