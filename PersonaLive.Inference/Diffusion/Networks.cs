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
        Input = new HostTensor([batch, 3, g.DetectorSize, g.DetectorSize], g.Fp16);
        _outputs = [.. new[] { 66, 66, 66, 3, 1, 63 }.Select(w => new HostTensor([batch, w], g.Fp16))];
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

/// <summary>Per-engine runners and buffers of the six networks other than the fused step.</summary>
internal sealed class Networks : IDisposable
{
    private readonly ModelGeometry _g;
    private HostTensor? _warmPoseIn, _warmPoseOut;

    public Networks(PersonaLiveSessions s, ModelGeometry g)
    {
        _g = g;
        var fp16 = g.Fp16;
        int r = g.Resolution, l = g.Latent;
        ClipInput = new HostTensor([1, 3, g.ClipSize, g.ClipSize], fp16);
        Embeds = new HostTensor([1, 1, g.EmbedWidth], fp16);
        VaeInput = new HostTensor([1, 3, r, r], fp16);
        Latents = new HostTensor([1, g.LatentChannels, l, l], fp16);
        ReferenceOut = [.. Enumerable.Range(0, 16).Select(i => new HostTensor([1, g.ReferenceLengths[i], g.ReferenceChannels[i]], fp16))];
        ImageEncoder = new NetworkRunner(s[ModelSetContract.ImageEncoder], ["pixel_values"], ["encoder_hidden_states"]);
        VaeEncoder = new NetworkRunner(s[ModelSetContract.VaeEncoder], ["image"], ["image_latents"]);
        ReferenceUnet = new NetworkRunner(s[ModelSetContract.ReferenceUnet], ["image_latents", "encoder_hidden_states"], ModelSetContract.ReferenceNames);
        MotionEncoder = new NetworkRunner(s[ModelSetContract.MotionEncoder], ["motion"], ["motion_hidden_states"]);
        PoseGuider = new NetworkRunner(s[ModelSetContract.PoseGuider], ["pose"], ["pose_cond_fea"]);
        DetectOne = new Detector(s, 1);
        DetectChunk = new Detector(s, ModelGeometry.Chunk);
        MotionPairIn = new HostTensor([1, 3, 2, g.CropSize, g.CropSize], fp16);
        MotionPairOut = new HostTensor([1, 2, g.MotionRows, g.MotionCols], fp16);
    }

    public HostTensor ClipInput { get; }
    public HostTensor Embeds { get; }
    public HostTensor VaeInput { get; }
    public HostTensor Latents { get; }
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
    public HostTensor WarmPoseIn => _warmPoseIn ??= new HostTensor([1, 3, ModelGeometry.Carried, _g.Resolution, _g.Resolution], _g.Fp16);
    public HostTensor WarmPoseOut => _warmPoseOut ??= new HostTensor([1, _g.PoseChannels, ModelGeometry.Carried, _g.Latent, _g.Latent], _g.Fp16);

    public void Dispose()
    {
        foreach (var t in new[] { ClipInput, Embeds, VaeInput, Latents, MotionPairIn, MotionPairOut }) t.Dispose();
        foreach (var t in ReferenceOut) t.Dispose();
        _warmPoseIn?.Dispose();
        _warmPoseOut?.Dispose();
        DetectOne.Dispose();
        DetectChunk.Dispose();
        foreach (var r in new[] { ImageEncoder, VaeEncoder, ReferenceUnet, MotionEncoder, PoseGuider }) r.Dispose();
    }
}
