using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace PersonaLive.Inference.Diffusion.ModelSet;

/// <summary>A graph input/output as the ONNX file declares it; a dimension of -1 is symbolic.</summary>
public sealed record TensorSignature(string Name, string ElementType, long[] Dims);

/// <summary>
/// The checks of tools/export/README.md ("What the engine validates"): files present, the engine's names
/// and ranks declared, reference states consistent between the reference UNet and the fused step, and the
/// manifest agreeing with each ONNX file (names, element types, ranks, fixed sizes, dtype, no unlisted
/// inputs). Every message names the network, the file, the tensor, and expected versus found.
/// </summary>
public static class ModelSetValidator
{
    /// <summary>Checks that need no ONNX Runtime session; throws one exception listing every problem.</summary>
    public static void CheckFilesAndContract(ModelSetManifest manifest)
    {
        var errors = new List<string>();
        foreach (var key in ModelSetContract.NetworkKeys)
        {
            var n = manifest[key];
            if (!File.Exists(n.FullPath))
                errors.Add($"{n.Describe}: file not found at {n.FullPath}.");
            else if (n.ExternalData is { } ext && !File.Exists(Path.Combine(Path.GetDirectoryName(n.FullPath)!, ext)))
                errors.Add($"{n.Describe}: external data '{ext}' not found next to the model in {Path.GetDirectoryName(n.FullPath)}.");
            CheckContract(n, "input", n.Inputs, ModelSetContract.Inputs(key), exact: true, errors);
            CheckContract(n, "output", n.Outputs, ModelSetContract.Outputs(key), exact: false, errors);
        }
        var reference = manifest[ModelSetContract.ReferenceUnet];
        var fused = manifest[ModelSetContract.FusedStep];
        foreach (var name in ModelSetContract.ReferenceNames)
        {
            var r = reference.Outputs.FirstOrDefault(t => t.Name == name);
            var f = fused.Inputs.FirstOrDefault(t => t.Name == name);
            if (r is null || f is null || r.Rank != 3 || f.Rank != 3) continue; // reported above
            if (r.Shape[2] != f.Shape[2])
                errors.Add($"{fused.Describe}: input '{name}' has {f.Shape[2]} channels but {reference.Describe} output '{name}' has {r.Shape[2]}.");
        }
        if (errors.Count > 0) throw new ModelSetException($"{manifest.Path}: " + string.Join(Environment.NewLine, errors));
    }

    private static void CheckContract(ManifestNetwork n, string kind, IReadOnlyList<ManifestTensor> declared,
        IReadOnlyList<(string Name, int Rank)> required, bool exact, List<string> errors)
    {
        foreach (var (name, rank) in required)
        {
            var t = declared.FirstOrDefault(x => x.Name == name);
            if (t is null)
            {
                var near = declared.FirstOrDefault(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase));
                errors.Add(near is null
                    ? $"{n.Describe}: manifest lists no {kind} '{name}', which the engine binds."
                    : $"{n.Describe}: manifest lists {kind} '{near.Name}', the engine binds '{name}' (names are case-sensitive).");
            }
            else if (t.Rank != rank)
                errors.Add($"{n.Describe}: {kind} '{name}' must have rank {rank}, manifest says {t.Rank}.");
        }
        if (exact)
            foreach (var t in declared)
                if (!required.Any(r => r.Name == t.Name))
                    errors.Add($"{n.Describe}: manifest lists {kind} '{t.Name}', which the engine does not bind (expected only {string.Join(", ", required.Select(r => r.Name))}).");
    }

    /// <summary>Compares one network's manifest entry with its ONNX file; returns the problems (empty = fine).</summary>
    public static IReadOnlyList<string> CompareWithFile(ManifestNetwork n, IReadOnlyList<TensorSignature> fileInputs, IReadOnlyList<TensorSignature> fileOutputs)
    {
        var errors = new List<string>();
        Compare(n, "input", n.Inputs, fileInputs, errors);
        Compare(n, "output", n.Outputs, fileOutputs, errors);
        foreach (var f in fileInputs)
            if (!n.Inputs.Any(t => t.Name == f.Name))
                errors.Add($"{n.Describe}: the file has input '{f.Name}' ({f.ElementType}, rank {f.Dims.Length}) that the manifest does not list; ONNX Runtime would need a value for it.");
        return errors;
    }

    private static void Compare(ManifestNetwork n, string kind, IReadOnlyList<ManifestTensor> declared, IReadOnlyList<TensorSignature> file, List<string> errors)
    {
        var floatType = n.Dtype == "fp16" ? "float16" : "float32";
        foreach (var t in declared)
        {
            if (t.ElementType is "float16" or "float32" && t.ElementType != floatType)
                errors.Add($"{n.Describe}: manifest says {kind} '{t.Name}' is {t.ElementType}, but the network's dtype is {n.Dtype} ({floatType}).");
            var f = file.FirstOrDefault(x => x.Name == t.Name);
            if (f is null)
            {
                errors.Add($"{n.Describe}: the file has no {kind} '{t.Name}' (it has: {string.Join(", ", file.Select(x => x.Name))}).");
                continue;
            }
            if (f.ElementType != t.ElementType)
                errors.Add($"{n.Describe}: {kind} '{t.Name}' is {f.ElementType}, manifest says {t.ElementType}.");
            if (f.Dims.Length != t.Rank)
            {
                errors.Add($"{n.Describe}: {kind} '{t.Name}' has rank {f.Dims.Length}, manifest says {t.Rank}.");
                continue;
            }
            for (var d = 0; d < t.Rank; d++)
                if (t.Shape[d].Fixed is { } want && f.Dims[d] > 0 && f.Dims[d] != want)
                    errors.Add($"{n.Describe}: {kind} '{t.Name}' dimension {d} is {f.Dims[d]}, manifest says {want}.");
        }
    }

    /// <summary>The signatures ONNX Runtime reports for a session's inputs or outputs.</summary>
    public static TensorSignature[] FromMetadata(IReadOnlyDictionary<string, NodeMetadata> meta) =>
        [.. meta.Select(kv => new TensorSignature(kv.Key, TypeName(kv.Value), [.. kv.Value.Dimensions.Select(d => (long)d)]))];

    private static string TypeName(NodeMetadata m) => !m.IsTensor ? m.OnnxValueType.ToString() : m.ElementDataType switch
    {
        TensorElementType.Float => "float32",
        TensorElementType.Float16 => "float16",
        TensorElementType.Int64 => "int64",
        TensorElementType.Int32 => "int32",
        var other => other.ToString().ToLowerInvariant(),
    };
}
