using PersonaLive.Inference.Diffusion.Runtime;

namespace PersonaLive.Inference.Diffusion;

/// <summary>Per-portrait data fused once (port-notes §7.1): reference latents, head pose, keypoints, pixels.</summary>
internal sealed class PortraitContext(int resolution, int latentValues)
{
    /// <summary>The portrait at the model resolution, planar RGB in [-1,1] (source of its face crop).</summary>
    public float[] Pixels { get; } = new float[3 * resolution * resolution];

    /// <summary>VAE latents (already x0.18215), (1,C,l,l).</summary>
    public float[] Latents { get; } = new float[latentValues];

    public HeadPose Pose { get; set; }
    public float[] Keypoints { get; } = new float[63];

    /// <summary>The portrait's own transformed keypoints (= warm-up pose 0), whose box crops its face.</summary>
    public float[] OwnKeypoints { get; } = new float[63];

    /// <summary>Current reference hidden states bound to the fused step: the portrait's, then keyframes' along L.</summary>
    public HostTensor[] References { get; set; } = [];
}
