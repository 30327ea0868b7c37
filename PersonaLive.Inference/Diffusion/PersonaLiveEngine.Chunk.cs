using PersonaLive.Inference.Diffusion.ModelSet;
using PersonaLive.Inference.Engines;

namespace PersonaLive.Inference.Diffusion;

/// <summary>Per-chunk preparation: frames, keypoints, transfer, maps, crops, warm-up (port-notes §5, §6, §7.2).</summary>
public sealed partial class PersonaLiveEngine
{
    private readonly FaceBox[] _boxes;
    private readonly HeadPose[] _poses = new HeadPose[ModelGeometry.Chunk];
    private readonly float[] _kp = new float[63];
    private readonly float[] _own = new float[63];
    private readonly float[] _moved = new float[63];

    /// <summary>The transferred keypoints each new map of the last call was drawn from (4 x 63), kept for the
    /// parity harness's comparison with the official runner's keypoints.</summary>
    internal float[] LastMapKeypoints { get; } = new float[ModelGeometry.Chunk * 63];
    private bool _boxesValid;

    /// <summary>Driving frames -> detector -> own boxes and crops, transferred keypoints and maps.</summary>
    private void PrepareChunk(IReadOnlyList<DrivingFrame> chunk, PortraitContext p)
    {
        int r = _g.Resolution, d = _g.DetectorSize, s = _g.CropSize;
        var det = _nets.DetectChunk;
        var full = new FaceBox(0, 0, r, r);
        for (var i = 0; i < ChunkSize; i++)
        {
            _resizer.Resize(chunk[i].Image, r, _frames[i], 2, -1, _mirror);
            // Detector input: bilinear (half-pixel, no antialias) resize to D, then /2 + 0.5.
            Resampling.CropBilinear(_frames[i], r, full, det.Input.Data.AsSpan(i * 3 * d * d, 3 * d * d), d, 1, 0, 0.5f, 0.5f);
        }
        Timed(det.Run);
        for (var i = 0; i < ChunkSize; i++) _poses[i] = det.Pose(i, _kp);
        if (_first || _recenter)
        {
            _firstPose = _poses[0];
            _recenter = false;
        }
        for (var i = 0; i < ChunkSize; i++)
        {
            // Own keypoints -> face box -> crop of the frame (fused step input `motion`).
            det.Pose(i, _kp);
            KeypointMath.Transform(_kp, _poses[i], _own);
            var box = KeypointRaster.Box(_own, r);
            if (box.IsEmpty) box = _boxesValid ? _boxes[i] : full;
            _boxes[i] = box;
            Resampling.CropBilinear(_frames[i], r, box, _fused.Motion.Data, s, ModelGeometry.Chunk, i);
            // Transferred keypoints (portrait canonical keypoints, frame angles, relative t) -> map (`pose`).
            KeypointMath.Transform(p.Keypoints, KeypointMath.Transfer(_poses[i], _firstPose, p.Pose), _moved);
            KeypointRaster.DrawMap(_moved, r, _fused.Pose.Data, ModelGeometry.Chunk, i);
            _moved.CopyTo(LastMapKeypoints, i * 63);
        }
        _boxesValid = true;
    }

    /// <summary>
    /// First chunk: 12 warm-up poses (angles portrait -> first frame) through the pose guider, the
    /// portrait's and first frame's motion interpolated into 12 carried states, the bank started with the
    /// portrait's motion, and the window tail (reference latents noised at 999).
    /// </summary>
    private void WarmUp(PortraitContext p)
    {
        int r = _g.Resolution, s = _g.CropSize, mv = _g.MotionValues;
        var maps = _nets.WarmPoseIn;
        for (var k = 0; k < ModelGeometry.Carried; k++)
        {
            KeypointMath.Transform(p.Keypoints, KeypointMath.WarmUp(p.Pose, _firstPose, k), _moved);
            KeypointRaster.DrawMap(_moved, r, maps.Data, ModelGeometry.Carried, k);
        }
        Timed(() => _nets.PoseGuider.Run([maps], [_nets.WarmPoseOut]));
        _nets.WarmPoseOut.Data.CopyTo(_fused.PrefillPose.Data, 0);

        var portraitBox = KeypointRaster.Box(p.OwnKeypoints, r);
        if (portraitBox.IsEmpty) portraitBox = new FaceBox(0, 0, r, r);
        Resampling.CropBilinear(p.Pixels, r, portraitBox, _nets.MotionPairIn.Data, s, 2, 0);
        Resampling.CropBilinear(_frames[0], r, _boxes[0], _nets.MotionPairIn.Data, s, 2, 1);
        Timed(() => _nets.MotionEncoder.Run([_nets.MotionPairIn], [_nets.MotionPairOut]));
        var pair = _nets.MotionPairOut.Data;
        var carried = _fused.PrefillMotion.Data;
        for (var k = 0; k < ModelGeometry.Carried; k++)
        {
            var w = KeypointMath.WarmUpWeight(k);
            for (var i = 0; i < mv; i++) carried[k * mv + i] = (1 - w) * pair[i] + w * pair[mv + i];
        }
        _bank.Reset(pair.AsSpan(0, mv));

        // Window frames 12..15: the reference latents noised at 999 (a new draw, before new_noise's).
        int lat = _g.Latent * _g.Latent, c = _g.LatentChannels;
        var tail = _noiseChunk;
        FillNoised(p, tail); // draws into _noiseChunk and noises it in place (element-wise)
        var sample = _fused.PrefillSample.Data;
        for (var ch = 0; ch < c; ch++)
            for (var f = 0; f < ModelGeometry.Chunk; f++)
                tail.AsSpan((ch * ModelGeometry.Chunk + f) * lat, lat).CopyTo(sample.AsSpan((ch * ModelGeometry.Window + ModelGeometry.Carried + f) * lat, lat));
        _fused.Prefill();
    }
}
