namespace PersonaLive.Inference.Diffusion.ModelSet;

/// <summary>
/// The names and ranks the engine binds, per network (tools/export/README.md, "Networks and names";
/// the fused step's are those of the official <c>unet_work</c>, port-notes §2.2/§2.3).
/// </summary>
public static class ModelSetContract
{
    public const string ImageEncoder = "image_encoder";
    public const string VaeEncoder = "vae_encoder";
    public const string ReferenceUnet = "reference_unet";
    public const string MotionExtractor = "motion_extractor";
    public const string MotionEncoder = "motion_encoder";
    public const string PoseGuider = "pose_guider";
    public const string FusedStep = "fused_step";

    public static readonly string[] NetworkKeys = [ImageEncoder, VaeEncoder, ReferenceUnet, MotionExtractor, MotionEncoder, PoseGuider, FusedStep];

    /// <summary>The 16 reference hidden states, in the official order.</summary>
    public static readonly string[] ReferenceNames = ["d00", "d01", "d10", "d11", "d20", "d21", "m", "u10", "u11", "u12", "u20", "u21", "u22", "u30", "u31", "u32"];

    /// <summary>Base reference lengths at 512 (64x64 latents) divided by the latent area: 1, 1/4, 1/16, 1/64.</summary>
    public static readonly int[] ReferenceLengthDivisors = [1, 1, 4, 4, 16, 16, 64, 16, 16, 16, 4, 4, 4, 1, 1, 1];

    /// <summary>Inputs (name, rank) per network, in the engine's binding order.</summary>
    public static IReadOnlyList<(string Name, int Rank)> Inputs(string key) => key switch
    {
        ImageEncoder => [("pixel_values", 4)],
        VaeEncoder => [("image", 4)],
        ReferenceUnet => [("image_latents", 4), ("encoder_hidden_states", 3)],
        MotionExtractor => [("image", 4)],
        MotionEncoder => [("motion", 5)],
        PoseGuider => [("pose", 5)],
        FusedStep => [("sample", 5), ("encoder_hidden_states", 3), ("motion_hidden_states", 4), ("motion", 5),
            ("pose_cond_fea", 5), ("pose", 5), ("new_noise", 5), .. ReferenceNames.Select(n => (n, 3))],
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "Unknown network."),
    };

    /// <summary>Outputs (name, rank) per network.</summary>
    public static IReadOnlyList<(string Name, int Rank)> Outputs(string key) => key switch
    {
        ImageEncoder => [("encoder_hidden_states", 3)],
        VaeEncoder => [("image_latents", 4)],
        ReferenceUnet => [.. ReferenceNames.Select(n => (n, 3))],
        MotionExtractor => [("pitch", 2), ("yaw", 2), ("roll", 2), ("t", 2), ("scale", 2), ("kp", 2)],
        MotionEncoder => [("motion_hidden_states", 4)],
        PoseGuider => [("pose_cond_fea", 5)],
        FusedStep => [("pred_video", 4), ("latents", 5), ("pose_cond_fea_out", 5), ("motion_hidden_states_out", 4), ("motion_out", 4), ("latent_first", 4)],
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "Unknown network."),
    };
}
