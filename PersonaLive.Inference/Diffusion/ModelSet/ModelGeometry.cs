namespace PersonaLive.Inference.Diffusion.ModelSet;

/// <summary>
/// Every size the engine needs, read from a validated manifest so the same code runs the official set
/// (512 output, 64x64 latents, 224 crops, 320 pose channels, 768-wide embeds) and tiny test sets.
/// </summary>
public sealed record ModelGeometry
{
    public const int Window = 16;
    public const int Chunk = 4;
    public const int Carried = Window - Chunk;

    public required int Resolution { get; init; }
    public int Latent => Resolution / 8;
    public required int LatentChannels { get; init; }
    public required int EmbedWidth { get; init; }
    public required int ClipSize { get; init; }
    public required int DetectorSize { get; init; }
    public required int CropSize { get; init; }
    public required int MotionRows { get; init; }
    public required int MotionCols { get; init; }
    public int MotionValues => MotionRows * MotionCols;
    public required int PoseChannels { get; init; }
    public required int[] ReferenceLengths { get; init; }
    public required int[] ReferenceChannels { get; init; }

    /// <summary>
    /// Element type of each network's tensors (key -> true for fp16), from the network's own manifest
    /// dtype. A set may mix them: <c>export_onnx.py --dtype fp32</c> writes six fp32 networks next to the
    /// official fp16 fused step, so no single flag can describe a set.
    /// </summary>
    public required IReadOnlyDictionary<string, bool> Fp16ByNetwork { get; init; }

    /// <summary>True when network <paramref name="key"/> takes and returns fp16 tensors.</summary>
    public bool IsFp16(string key) => Fp16ByNetwork[key];

    /// <summary>The fused step's dtype: the carried state's element type and the noise coefficients' precision.</summary>
    public bool FusedFp16 => IsFp16(ModelSetContract.FusedStep);

    /// <summary>"fp16", "fp32" or "mixed (...)" for status messages.</summary>
    public string DtypeSummary =>
        Fp16ByNetwork.Values.Distinct().Count() == 1 ? (FusedFp16 ? "fp16" : "fp32")
            : "mixed (fp16: " + string.Join(", ", Fp16ByNetwork.Where(kv => kv.Value).Select(kv => kv.Key)) + ")";

    /// <summary>Derives the sizes and checks that the networks agree with each other.</summary>
    public static ModelGeometry From(ModelSetManifest m)
    {
        var errors = new List<string>();
        int Dim(string key, bool input, string name, int axis)
        {
            var n = m[key];
            var t = input ? n.Input(name) : n.Output(name);
            try { return t.FixedDim(n.Describe, axis); }
            catch (ModelSetException ex) { errors.Add(ex.Message); return 0; }
        }
        void Expect(string key, bool input, string name, int axis, int expected, string why)
        {
            var n = m[key];
            var t = input ? n.Input(name) : n.Output(name);
            if (t.Shape[axis].Fixed is { } v && v != expected)
                errors.Add($"{n.Describe}: {(input ? "input" : "output")} '{name}' dimension {axis} is {v}, expected {expected} ({why}).");
        }
        const string I = ModelSetContract.ImageEncoder, V = ModelSetContract.VaeEncoder, R = ModelSetContract.ReferenceUnet,
            X = ModelSetContract.MotionExtractor, E = ModelSetContract.MotionEncoder, P = ModelSetContract.PoseGuider, F = ModelSetContract.FusedStep;
        var res = m.BaseResolution;
        var g = new ModelGeometry
        {
            Resolution = res,
            LatentChannels = Dim(V, false, "image_latents", 1),
            EmbedWidth = Dim(I, false, "encoder_hidden_states", 2),
            ClipSize = Dim(I, true, "pixel_values", 2),
            DetectorSize = Dim(X, true, "image", 2),
            CropSize = Dim(E, true, "motion", 3),
            MotionRows = Dim(E, false, "motion_hidden_states", 2),
            MotionCols = Dim(E, false, "motion_hidden_states", 3),
            PoseChannels = Dim(P, false, "pose_cond_fea", 1),
            ReferenceLengths = [.. ModelSetContract.ReferenceNames.Select(n => Dim(R, false, n, 1))],
            ReferenceChannels = [.. ModelSetContract.ReferenceNames.Select(n => Dim(R, false, n, 2))],
            Fp16ByNetwork = ModelSetContract.NetworkKeys.ToDictionary(k => k, k => m[k].Dtype == "fp16", StringComparer.Ordinal),
        };
        Expect(V, true, "image", 2, res, "baseResolution");
        Expect(V, false, "image_latents", 2, res / 8, "baseResolution / 8");
        Expect(F, true, "sample", 1, g.LatentChannels, "VAE latent channels");
        Expect(F, true, "sample", 2, Window, "16-frame window");
        Expect(F, true, "sample", 3, res / 8, "baseResolution / 8");
        Expect(F, true, "encoder_hidden_states", 2, g.EmbedWidth, "image encoder width");
        Expect(F, true, "motion_hidden_states", 1, Carried, "12 carried frames");
        Expect(F, true, "motion_hidden_states", 2, g.MotionRows, "motion encoder output");
        Expect(F, true, "motion", 2, Chunk, "4 new frames");
        Expect(F, true, "motion", 3, g.CropSize, "motion encoder crop");
        Expect(F, true, "pose_cond_fea", 1, g.PoseChannels, "pose guider channels");
        Expect(F, true, "pose_cond_fea", 2, Carried, "12 carried frames");
        Expect(F, true, "pose", 2, Chunk, "4 new frames");
        Expect(F, true, "pose", 3, res, "baseResolution");
        Expect(F, true, "new_noise", 2, Chunk, "4 new frames");
        Expect(P, true, "pose", 3, res, "baseResolution");
        Expect(E, true, "motion", 4, g.CropSize, "square crops");
        Expect(X, true, "image", 3, g.DetectorSize, "square detector input");
        for (var i = 0; i < 16; i++)
        {
            var expectedLength = res / 8 * (res / 8) / ModelSetContract.ReferenceLengthDivisors[i];
            Expect(R, false, ModelSetContract.ReferenceNames[i], 1, expectedLength, "latent area at this UNet level");
        }
        if (errors.Count > 0) throw new ModelSetException($"{m.Path}: " + string.Join(Environment.NewLine, errors));
        return g;
    }
}
