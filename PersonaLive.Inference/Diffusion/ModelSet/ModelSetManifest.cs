using System.Text.Json;

namespace PersonaLive.Inference.Diffusion.ModelSet;

/// <summary>One dimension of a manifest shape: a fixed size, or a label for a size chosen at run time.</summary>
public readonly record struct ManifestDim(long? Fixed, string? Label)
{
    public override string ToString() => Fixed?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? $"'{Label}'";
}

/// <summary>A tensor as the manifest declares it (name, element type, shape).</summary>
public sealed record ManifestTensor(string Name, string ElementType, IReadOnlyList<ManifestDim> Shape)
{
    public int Rank => Shape.Count;

    /// <summary>The fixed size of dimension <paramref name="axis"/>, or an error naming the tensor.</summary>
    public int FixedDim(string network, int axis) =>
        Shape[axis].Fixed is { } v ? checked((int)v)
            : throw new ModelSetException($"{network}: '{Name}' dimension {axis} must be a fixed size for the engine, manifest says {Shape[axis]}.");
}

/// <summary>One network entry of the manifest, with its file resolved against the manifest's folder.</summary>
public sealed record ManifestNetwork(string Key, string File, string? ExternalData, string Dtype,
    IReadOnlyList<ManifestTensor> Inputs, IReadOnlyList<ManifestTensor> Outputs, string FullPath)
{
    /// <summary>"fused_step (unet_opt.onnx)", the prefix of every message about this network.</summary>
    public string Describe => $"{Key} ({Path.GetFileName(File)})";

    public ManifestTensor Input(string name) => Inputs.First(t => t.Name == name);
    public ManifestTensor Output(string name) => Outputs.First(t => t.Name == name);
}

/// <summary>A model set that cannot be used; the message says what is wrong and where.</summary>
public sealed class ModelSetException(string message) : Exception(message);

/// <summary>
/// The model-set manifest (<c>manifest.json</c>, format <c>personalive.modelset</c> version 1; see
/// tools/export/README.md and manifest.schema.json): base resolution and the seven networks with their
/// files, dtypes and declared inputs/outputs. <see cref="Load"/> checks the structure; the checks against
/// the ONNX files are <see cref="ModelSetValidator"/>'s.
/// </summary>
public sealed class ModelSetManifest
{
    public const string FileName = "manifest.json";
    public const string Format = "personalive.modelset";

    private ModelSetManifest(string path, int baseResolution, IReadOnlyDictionary<string, ManifestNetwork> networks)
    {
        Path = path;
        BaseResolution = baseResolution;
        Networks = networks;
    }

    /// <summary>Full path of the manifest file.</summary>
    public string Path { get; }

    /// <summary>Output side in pixels (512 for the official weights; tiny test sets use less). Latents are 1/8.</summary>
    public int BaseResolution { get; }

    public IReadOnlyDictionary<string, ManifestNetwork> Networks { get; }

    public ManifestNetwork this[string key] => Networks[key];

    /// <summary>Reads and structurally checks a manifest; every problem found is listed in one exception.</summary>
    public static ModelSetManifest Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new ModelSetException($"No model-set manifest at {full}.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(full), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new ModelSetException($"{full} is not valid JSON: {ex.Message}");
        }
        using (doc)
        {
            var errors = new List<string>();
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new ModelSetException($"{full}: the manifest must be a JSON object.");
            if (Str(root, "format") != Format) errors.Add($"'format' must be \"{Format}\", found {Raw(root, "format")}.");
            if (Int(root, "formatVersion") != 1) errors.Add($"'formatVersion' must be 1, found {Raw(root, "formatVersion")}.");
            var resolution = Int(root, "baseResolution") ?? 0;
            if (resolution < 64 || resolution % 8 != 0) errors.Add($"'baseResolution' must be a multiple of 8 of at least 64 (512 for the official weights), found {Raw(root, "baseResolution")}.");
            var networks = new Dictionary<string, ManifestNetwork>(StringComparer.Ordinal);
            if (!root.TryGetProperty("networks", out var nets) || nets.ValueKind != JsonValueKind.Object)
                errors.Add("'networks' (an object with the seven networks) is missing.");
            else
            {
                foreach (var p in nets.EnumerateObject())
                {
                    if (!ModelSetContract.NetworkKeys.Contains(p.Name))
                    {
                        errors.Add($"networks: unknown network '{p.Name}' (allowed: {string.Join(", ", ModelSetContract.NetworkKeys)}).");
                        continue;
                    }
                    var n = ReadNetwork(p.Name, p.Value, System.IO.Path.GetDirectoryName(full)!, errors);
                    if (n is not null) networks[p.Name] = n;
                }
                foreach (var key in ModelSetContract.NetworkKeys)
                    if (!nets.TryGetProperty(key, out _)) errors.Add($"networks: '{key}' is missing (all seven networks are required).");
            }
            if (errors.Count > 0) throw new ModelSetException($"{full}: " + string.Join(Environment.NewLine, errors));
            return new ModelSetManifest(full, resolution, networks);
        }
    }

    private static ManifestNetwork? ReadNetwork(string key, JsonElement e, string folder, List<string> errors)
    {
        if (e.ValueKind != JsonValueKind.Object) { errors.Add($"networks.{key} must be an object."); return null; }
        var file = Str(e, "file");
        var dtype = Str(e, "dtype");
        string? external = e.TryGetProperty("externalData", out var x) && x.ValueKind == JsonValueKind.String ? x.GetString() : null;
        var before = errors.Count;
        if (string.IsNullOrEmpty(file)) errors.Add($"networks.{key}.file is missing.");
        if (dtype is not ("fp16" or "fp32")) errors.Add($"networks.{key}.dtype must be \"fp16\" or \"fp32\", found {Raw(e, "dtype")}.");
        var inputs = ReadTensors(key, e, "inputs", errors);
        var outputs = ReadTensors(key, e, "outputs", errors);
        if (errors.Count > before) return null;
        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, file!.Replace('/', System.IO.Path.DirectorySeparatorChar)));
        return new ManifestNetwork(key, file, external, dtype!, inputs, outputs, full);
    }

    private static List<ManifestTensor> ReadTensors(string key, JsonElement e, string prop, List<string> errors)
    {
        var list = new List<ManifestTensor>();
        if (!e.TryGetProperty(prop, out var arr) || arr.ValueKind != JsonValueKind.Array)
        {
            errors.Add($"networks.{key}.{prop} must be an array.");
            return list;
        }
        var i = 0;
        foreach (var t in arr.EnumerateArray())
        {
            var where = $"networks.{key}.{prop}[{i++}]";
            var name = Str(t, "name");
            var type = Str(t, "elementType");
            if (string.IsNullOrEmpty(name)) { errors.Add($"{where}.name is missing."); continue; }
            if (type is not ("float16" or "float32" or "int64" or "int32")) { errors.Add($"{where} ('{name}'): elementType must be float16, float32, int64 or int32, found {Raw(t, "elementType")}."); continue; }
            if (!t.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array) { errors.Add($"{where} ('{name}'): shape must be an array."); continue; }
            var dims = new List<ManifestDim>();
            var d = 0;
            foreach (var dim in shape.EnumerateArray())
            {
                if (dim.ValueKind == JsonValueKind.Number && dim.TryGetInt64(out var v) && v >= 1) dims.Add(new ManifestDim(v, null));
                else if (dim.ValueKind == JsonValueKind.String) dims.Add(new ManifestDim(null, dim.GetString()));
                else errors.Add($"{where} ('{name}'): shape[{d}] must be an integer >= 1 or a label string, found {dim.GetRawText()}.");
                d++;
            }
            list.Add(new ManifestTensor(name, type, dims));
        }
        return list;
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;

    private static string Raw(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetRawText() : "nothing";
}
