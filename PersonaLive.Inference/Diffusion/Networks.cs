using System.Numerics;
using PersonaLive.Inference.Diffusion.ModelSet;
using PersonaLive.Inference.Diffusion.Runtime;

namespace PersonaLive.Inference.Diffusion;

/// <summary>The motion extractor at one batch size with its buffers; decodes head poses and keypoints.</summary>
internal sealed class Detector : IDisposable
{
    private static readonly string[] OutputNames = ["pitch", "yaw", "roll", "t", "scale", "kp"];
    private readonly NetworkRunner _runner;
    private readonly HostTensor[] _outputs;

    public Detector(PersonaLiveSessions s, int batch)
    {
        var g = s.Geometry;
        var fp16 = g.IsFp16(ModelSetContract.MotionExtractor);
        Input = new HostTensor([batch, 3, g.DetectorSize, g.DetectorSize], fp16);
        _outputs = [.. new[] { 66, 66, 66, 3, 1, 63 }.Select(w => new HostTensor([batch, w], fp16))];
        _runner = new NetworkRunner(s[ModelSetContract.MotionExtractor], ["image"], OutputNames);
    }

    /// <summary>(batch,3,D,D) in [0,1].</summary>
    public HostTensor Input { get; }

    public void Run() => _runner.Run([Input], _outputs);

    /// <summary>Head pose of item <paramref name="b"/> (degrees), canonical keypoints into <paramref name="kp"/>.</summary>
    public HeadPose Pose(int b, Span<float> kp)
    {
        _outputs[5].Data.AsSpan(b * 63, 63).CopyTo(kp);
        var t = _outputs[3].Data.AsSpan(b * 3, 3);
        return new HeadPose(
            KeypointMath.HeadPoseDegrees(_outputs[0].Data.AsSpan(b * 66, 66)),
            KeypointMath.HeadPoseDegrees(_outputs[1].Data.AsSpan(b * 66, 66)),
            KeypointMath.HeadPoseDegrees(_outputs[2].Data.AsSpan(b * 66, 66)),
            new Vector3(t[0], t[1], t[2]),
            _outputs[4].Data[b]);
    }

    public void Dispose()
    {
        _runner.Dispose();
        Input.Dispose();
        foreach (var o in _outputs) o.Dispose();
    }
}

/// <summary>
/// Per-engine runners and buffers of the six networks other than the fused step. Every tensor has the
/// element type of the network that reads or writes it (its own manifest dtype), so a value passed from one
/// network to another with a different dtype goes through two tensors (see <see cref="ShareEmbeds"/>).
/// </summary>
internal sealed class Networks : IDisposable
{
    private readonly ModelGeometry _g;
    private HostTensor? _warmPoseIn, _warmPoseOut;

    public Networks(PersonaLiveSessions s, ModelGeometry g)
    {
        _g = g;
        int r = g.Resolution, l = g.Latent;
        bool image = g.IsFp16(ModelSetContract.ImageEncoder), vae = g.IsFp16(ModelSetContract.VaeEncoder), reference = g.IsFp16(ModelSetContract.ReferenceUnet);
        ClipInput = new HostTensor([1, 3, g.ClipSize, g.ClipSize], image);
        Embeds = new HostTensor([1, 1, g.EmbedWidth], image);
        VaeInput = new HostTensor([1, 3, r, r], vae);
        Latents = new HostTensor([1, g.LatentChannels, l, l], vae);
        ReferenceLatents = new HostTensor([1, g.LatentChannels, l, l], reference);
        ReferenceEmbeds = new HostTensor([1, 1, g.EmbedWidth], reference);
        FusedEmbeds = new HostTensor([1, 1, g.EmbedWidth], g.FusedFp16);
        ReferenceOut = [.. Enumerable.Range(0, 16).Select(i => new HostTensor([1, g.ReferenceLengths[i], g.ReferenceChannels[i]], reference))];
        ImageEncoder = new NetworkRunner(s[ModelSetContract.ImageEncoder], ["pixel_values"], ["encoder_hidden_states"]);
        VaeEncoder = new NetworkRunner(s[ModelSetContract.VaeEncoder], ["image"], ["image_latents"]);
        ReferenceUnet = new NetworkRunner(s[ModelSetContract.ReferenceUnet], ["image_latents", "encoder_hidden_states"], ModelSetContract.ReferenceNames);
        MotionEncoder = new NetworkRunner(s[ModelSetContract.MotionEncoder], ["motion"], ["motion_hidden_states"]);
        PoseGuider = new NetworkRunner(s[ModelSetContract.PoseGuider], ["pose"], ["pose_cond_fea"]);
        DetectOne = new Detector(s, 1);
        DetectChunk = new Detector(s, ModelGeometry.Chunk);
        var motion = g.IsFp16(ModelSetContract.MotionEncoder);
        MotionPairIn = new HostTensor([1, 3, 2, g.CropSize, g.CropSize], motion);
        MotionPairOut = new HostTensor([1, 2, g.MotionRows, g.MotionCols], motion);
    }

    public HostTensor ClipInput { get; }

    /// <summary>Image encoder output (its dtype); <see cref="ShareEmbeds"/> copies it to the two readers.</summary>
    public HostTensor Embeds { get; }
    public HostTensor VaeInput { get; }

    /// <summary>VAE encoder output (its dtype).</summary>
    public HostTensor Latents { get; }

    /// <summary>Reference UNet inputs (its dtype).</summary>
    public HostTensor ReferenceLatents { get; }
    public HostTensor ReferenceEmbeds { get; }

    /// <summary>The embeds as the fused step reads them (its dtype).</summary>
    public HostTensor FusedEmbeds { get; }
    public HostTensor[] ReferenceOut { get; }
    public NetworkRunner ImageEncoder { get; }
    public NetworkRunner VaeEncoder { get; }
    public NetworkRunner ReferenceUnet { get; }
    public NetworkRunner MotionEncoder { get; }
    public NetworkRunner PoseGuider { get; }
    public Detector DetectOne { get; }
    public Detector DetectChunk { get; }

    /// <summary>Portrait crop and first-frame crop for the motion encoder, (1,3,2,S,S) -> (1,2,Mh,Mw).</summary>
    public HostTensor MotionPairIn { get; }
    public HostTensor MotionPairOut { get; }

    /// <summary>Keypoint maps of the 12 warm-up poses (1,3,12,R,R); allocated on first use (large at 512).</summary>
    public HostTensor WarmPoseIn => _warmPoseIn ??= new HostTensor([1, 3, ModelGeometry.Carried, _g.Resolution, _g.Resolution], _g.IsFp16(ModelSetContract.PoseGuider));
    public HostTensor WarmPoseOut => _warmPoseOut ??= new HostTensor([1, _g.PoseChannels, ModelGeometry.Carried, _g.Latent, _g.Latent], _g.IsFp16(ModelSetContract.PoseGuider));

    /// <summary>Copies the image encoder's embeds (as floats) into the reference UNet's and the fused step's inputs.</summary>
    public void ShareEmbeds()
    {
        Embeds.Data.CopyTo(ReferenceEmbeds.Data, 0);
        Embeds.Data.CopyTo(FusedEmbeds.Data, 0);
    }

    public void Dispose()
    {
        foreach (var t in new[] { ClipInput, Embeds, VaeInput, Latents, ReferenceLatents, ReferenceEmbeds, FusedEmbeds, MotionPairIn, MotionPairOut }) t.Dispose();
        foreach (var t in ReferenceOut) t.Dispose();
        _warmPoseIn?.Dispose();
        _warmPoseOut?.Dispose();
        DetectOne.Dispose();
        DetectChunk.Dispose();
        foreach (var r in new[] { ImageEncoder, VaeEncoder, ReferenceUnet, MotionEncoder, PoseGuider }) r.Dispose();
    }
}
