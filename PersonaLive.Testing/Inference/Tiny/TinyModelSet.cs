using System.Text.Json;
using PersonaLive.Inference.Diffusion.ModelSet;
using PersonaLive.Inference.Onnx;

namespace PersonaLive.Inference.Diffusion.Tiny;

/// <summary>
/// A tiny synthetic PersonaLive model set written by our ONNX writer: the seven networks with the official
/// input/output names and ranks at small sizes (64x64 output, 8x8 latents, few channels) and deterministic
/// weights, plus its manifest. The fused step really does what the official <c>unet_work</c> does to the
/// state (port-notes §2.4): pose features and motion of the 4 new frames appended after the carried 12,
/// a per-frame noise prediction (from the sample, pose, motion, reference states and embeds), one DDIM step
/// per frame at t = 0/333/666/999, x0 of frames 0..3 decoded, frames 4..15 shifted out with
/// <c>new_noise</c> appended. Used by the state-machine tests and the <c>personalive-tiny</c> benchmark.
/// The motion encoder is the per-pixel channel mean of the crop, 2:1 pooled across, so a uniform frame of
/// value v gives a motion state of v everywhere (distance between two such states = |Δv|·sqrt(512)).
/// </summary>
public static class TinyModelSet
{
    public const int Resolution = 64;
    public const int Latent = 8;
    public const int LatentChannels = 4;
    public const int EmbedWidth = 8;
    public const int ClipSize = 16;
    public const int DetectorSize = 32;
    public const int CropSize = 32;
    public const int MotionRows = 32, MotionCols = 16;
    public const int PoseChannels = 4;
    public static readonly int[] ReferenceChannels = [4, 4, 8, 8, 16, 16, 16, 16, 16, 16, 8, 8, 8, 4, 4, 4];
    private static readonly string[] LengthLabels = ["len_4096", "len_4096", "len_1024", "len_1024", "len_256", "len_256", "len_64", "len_256", "len_256", "len_256", "len_1024", "len_1024", "len_1024", "len_4096", "len_4096", "len_4096"];

    public static int ReferenceLength(int i) => Latent * Latent / ModelSetContract.ReferenceLengthDivisors[i];

    private sealed record Spec(string Name, object[] Shape);

    /// <summary>
    /// Writes the seven .onnx files and manifest.json into <paramref name="directory"/>; returns the manifest
    /// path. Networks named in <paramref name="fp16Networks"/> (keys of <see cref="ModelSetContract"/>) get
    /// fp16 inputs and outputs (cast at the graph boundary, computed in fp32 inside) and dtype fp16 in the
    /// manifest, so mixed-dtype sets such as the one <c>export_onnx.py --dtype fp32</c> produces next to the
    /// official fp16 fused step can be tested.
    /// </summary>
    public static string Write(string directory, IReadOnlySet<string>? fp16Networks = null)
    {
        Directory.CreateDirectory(directory);
        var networks = new Dictionary<string, object>();
        void Add(string key, string file, OnnxGraph g, Spec[] inputs, Spec[] outputs)
        {
            var half = fp16Networks?.Contains(key) == true;
            var type = half ? OnnxDataType.Float16 : OnnxDataType.Float;
            foreach (var s in inputs) g.Inputs.Add(Info(s, type));
            foreach (var s in outputs) g.Outputs.Add(Info(s, type));
            if (half) TinyGraph.CastInterfaceToHalf(g);
            new OnnxModel(g).Save(Path.Combine(directory, file));
            networks[key] = new
            {
                file,
                externalData = (string?)null,
                dtype = half ? "fp16" : "fp32",
                producedBy = "TinyModelSet (synthetic, for tests)",
                inputs = inputs.Select(s => T(s, half)),
                outputs = outputs.Select(s => T(s, half)),
            };
        }

        Add(ModelSetContract.ImageEncoder, "image_encoder.onnx", ImageEncoder(), [new("pixel_values", [1, 3, ClipSize, ClipSize])], [new("encoder_hidden_states", [1, 1, EmbedWidth])]);
        Add(ModelSetContract.VaeEncoder, "vae_encoder.onnx", VaeEncoder(), [new("image", [1, 3, Resolution, Resolution])], [new("image_latents", [1, LatentChannels, Latent, Latent])]);
        Add(ModelSetContract.ReferenceUnet, "reference_unet.onnx", ReferenceUnet(),
            [new("image_latents", [1, LatentChannels, Latent, Latent]), new("encoder_hidden_states", [1, 1, EmbedWidth])],
            [.. ModelSetContract.ReferenceNames.Select((n, i) => new Spec(n, [1, ReferenceLength(i), ReferenceChannels[i]]))]);
        Add(ModelSetContract.MotionExtractor, "motion_extractor.onnx", MotionExtractor(), [new("image", ["batch", 3, DetectorSize, DetectorSize])],
            [new("pitch", ["batch", 66]), new("yaw", ["batch", 66]), new("roll", ["batch", 66]), new("t", ["batch", 3]), new("scale", ["batch", 1]), new("kp", ["batch", 63])]);
        Add(ModelSetContract.MotionEncoder, "motion_encoder.onnx", MotionEncoderGraph(), [new("motion", [1, 3, "frames", CropSize, CropSize])], [new("motion_hidden_states", [1, "frames", MotionRows, MotionCols])]);
        Add(ModelSetContract.PoseGuider, "pose_guider.onnx", PoseGuiderGraph(), [new("pose", [1, 3, "frames", Resolution, Resolution])], [new("pose_cond_fea", [1, PoseChannels, "frames", Latent, Latent])]);
        Add(ModelSetContract.FusedStep, "unet_opt.onnx", TinyFusedStep.Build(),
            [
                new("sample", [1, LatentChannels, 16, "h_64", "w_64"]), new("encoder_hidden_states", [1, 1, EmbedWidth]),
                new("motion_hidden_states", [1, 12, MotionRows, MotionCols]), new("motion", [1, 3, 4, CropSize, CropSize]),
                new("pose_cond_fea", [1, PoseChannels, 12, "h_64", "w_64"]), new("pose", [1, 3, 4, "h_512", "h_512"]),
                new("new_noise", [1, LatentChannels, 4, "h_64", "w_64"]),
                .. ModelSetContract.ReferenceNames.Select((n, i) => new Spec(n, [1, LengthLabels[i], ReferenceChannels[i]])),
            ],
            [
                new("pred_video", [4, "out_h", "out_w", 3]), new("latents", [1, LatentChannels, 16, "out_h_64", "out_w_64"]),
                new("pose_cond_fea_out", [1, PoseChannels, 12, "out_h_64", "out_w_64"]), new("motion_hidden_states_out", [1, 12, MotionRows, MotionCols]),
                new("motion_out", [1, 1, MotionRows, MotionCols]), new("latent_first", [1, LatentChannels, "out_h_64", "out_w_64"]),
            ]);

        var manifest = new Dictionary<string, object>
        {
            ["format"] = ModelSetManifest.Format,
            ["formatVersion"] = 1,
            ["baseResolution"] = Resolution,
            ["source"] = new { repository = "synthetic", commit = (string?)null },
            ["networks"] = networks,
        };
        var path = Path.Combine(directory, ModelSetManifest.FileName);
        File.WriteAllText(path, JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    private static object T(Spec s, bool half) => new { name = s.Name, elementType = half ? "float16" : "float32", shape = s.Shape };

    private static OnnxValueInfo Info(Spec s, OnnxDataType type) =>
        new(s.Name, type, [.. s.Shape.Select(d => d is int i ? (long?)i : null)]) { DimParams = [.. s.Shape.Select(d => d as string)] };

    private static OnnxGraph ImageEncoder()
    {
        var g = new TinyGraph("image_encoder");
        var pooled = g.Op("Reshape", g.Op("GlobalAveragePool", "pixel_values"), g.Ints(1, 3));
        var y = g.Op("Tanh", g.Op("Add", g.Op("MatMul", pooled, g.Const(TinyGraph.Weights(3 * EmbedWidth, 1, 1f), 3, EmbedWidth)), g.Const(TinyGraph.Weights(EmbedWidth, 2, 0.3f), EmbedWidth)));
        g.Output(g.Op("Reshape", y, g.Ints(1, 1, EmbedWidth)), "encoder_hidden_states");
        return g.Graph;
    }

    private static OnnxGraph VaeEncoder()
    {
        var g = new TinyGraph("vae_encoder");
        var pooled = g.Pool("image", [8, 8]);
        var conv = g.Op("Conv", pooled, g.Const(TinyGraph.Weights(LatentChannels * 3, 3, 1f), LatentChannels, 3, 1, 1), g.Const(TinyGraph.Weights(LatentChannels, 4, 0.2f), LatentChannels));
        g.Output(g.Scale(conv, 0.18215f * 4), "image_latents");
        return g.Graph;
    }

    private static OnnxGraph ReferenceUnet()
    {
        var g = new TinyGraph("reference_unet");
        var s = g.MeanAll("image_latents");
        var e = g.MeanAll("encoder_hidden_states");
        for (var i = 0; i < 16; i++)
        {
            int l = ReferenceLength(i), c = ReferenceChannels[i];
            var w = g.Const(TinyGraph.Weights(l * c, 10 + i, 2f), 1, l, c);
            var v = g.Const(TinyGraph.Weights(l * c, 40 + i, 1f), 1, l, c);
            g.Output(g.Op("Tanh", g.Op("Add", g.Op("Mul", w, s), g.Op("Mul", v, e))), ModelSetContract.ReferenceNames[i]);
        }
        return g.Graph;
    }

    private static OnnxGraph MotionExtractor()
    {
        var g = new TinyGraph("motion_extractor");
        var f = g.Op("Flatten", ["image"], n => n.Attr("axis", 1L));
        var pooled = g.Op("Flatten", [g.Op("GlobalAveragePool", "image")], n => n.Attr("axis", 1L));
        // Features: the channel means and the mean of the top-left quarter's first pixels, so content moves the head.
        var features = g.Concat(1, pooled, g.Slice(f, 1, 0, 3));
        void Head(string name, int width, float[] bias, float weightScale, int seed)
        {
            var w = g.Const(TinyGraph.Weights(6 * width, seed, weightScale), 6, width);
            g.Output(g.Op("Add", g.Op("MatMul", features, w), g.Const(bias, width)), name);
        }
        float[] Peaked(float centre) => [.. Enumerable.Range(0, 66).Select(b => -0.01f * (b - centre) * (b - centre))];
        Head("pitch", 66, Peaked(33.5f), 0.4f, 100);
        Head("yaw", 66, Peaked(31.5f), 0.4f, 101);
        Head("roll", 66, Peaked(32.5f), 0.4f, 102);
        Head("t", 3, [0.02f, -0.03f, 0], 0.05f, 103);
        Head("scale", 1, [1f], 0.05f, 104);
        var kp = new float[63];
        for (var k = 0; k < 21; k++)
        {
            var a = 2 * Math.PI * k / 21;
            kp[3 * k] = (float)(0.3 * Math.Cos(a));
            kp[3 * k + 1] = (float)(0.3 * Math.Sin(a));
            kp[3 * k + 2] = 0.05f * (k % 3 - 1);
        }
        Head("kp", 63, kp, 0.02f, 105);
        return g.Graph;
    }

    /// <summary>Channel mean per pixel, pooled 2:1 across: (1,3,F,32,32) -> (1,F,32,16).</summary>
    internal static string MotionEncoder(TinyGraph g, string motion) => g.Squeeze(g.Pool(g.Mean(motion, 1), [1, 1, CropSize / MotionCols]), 1);

    /// <summary>8x8 average pool then a 1x1x1 convolution: (1,3,F,64,64) -> (1,4,F,8,8).</summary>
    internal static string PoseGuider(TinyGraph g, string pose) =>
        g.Op("Conv", g.Pool(pose, [1, 8, 8]), g.Const(TinyGraph.Weights(PoseChannels * 3, 7, 1f), PoseChannels, 3, 1, 1, 1), g.Const(TinyGraph.Weights(PoseChannels, 8, 0.1f), PoseChannels));

    private static OnnxGraph MotionEncoderGraph()
    {
        var g = new TinyGraph("motion_encoder");
        g.Output(MotionEncoder(g, "motion"), "motion_hidden_states");
        return g.Graph;
    }

    private static OnnxGraph PoseGuiderGraph()
    {
        var g = new TinyGraph("pose_guider");
        g.Output(PoseGuider(g, "pose"), "pose_cond_fea");
        return g.Graph;
    }
}
