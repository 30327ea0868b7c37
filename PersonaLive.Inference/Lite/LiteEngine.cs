using System.Buffers;
using System.Diagnostics;
using System.Numerics;
using Microsoft.Extensions.Logging;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Faces;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Lite;

/// <summary>Milliseconds spent per stage on the last frame (the benchmark's breakdown).</summary>
public readonly record struct LiteFrameTimings(double DetectMs, double LandmarksMs, double RetargetMs, double RenderMs);

/// <summary>
/// One session of the <c>lite</c> engine: tracks the driver's face, retargets its motion onto the
/// portrait's mesh and renders the warped portrait (512x512, chunk size 1). Holds only per-session state
/// (tracker ROI, neutral pose, filters, vertex buffers); the ONNX sessions are the factory's. Output
/// frames use pooled buffers that return to the pool when the caller disposes them.
/// </summary>
public sealed class LiteEngine : IAnimationEngine
{
    public const int Size = 512;

    private readonly FaceTracker _tracker;
    private readonly ILogger _logger;
    private readonly Retargeter _retargeter = new();
    private readonly Vector3[] _driver = new Vector3[FaceLandmarker.PointCount];
    private readonly Vector2[] _mouth = new Vector2[PortraitRig.InnerMouth.Length];
    private readonly SurroundField _field = new(Size);
    private readonly SeamSkirt _skirt = new();
    private Vector2[] _targets = [];
    private Vector2[] _sources = [];
    private float[] _keys = [];
    private int[] _order = [];
    private PortraitRig? _rig;
    private long _lastCaptureUs = long.MinValue;
    private bool _disposed;

    public LiteEngine(FaceTracker tracker, ILogger<LiteEngine> logger)
    {
        _tracker = tracker;
        _logger = logger;
    }

    public string Name => "lite";
    public int ChunkSize => 1;
    public int OutputSize => Size;

    /// <summary>Stage timings of the last <see cref="Animate"/> call.</summary>
    public LiteFrameTimings LastTimings { get; private set; }

    /// <summary>Current mesh vertex targets (output pixels), for tests and diagnostics.</summary>
    internal ReadOnlySpan<Vector2> CurrentTargets => _targets;

    /// <summary>Depth of the face points under the current head pose (portrait pixels), for diagnostics.</summary>
    internal ReadOnlySpan<float> CurrentDepth => _retargeter.Depth;

    /// <summary>Current lid openings (0 closed .. 1 as in the portrait), right then left eye, for diagnostics.</summary>
    internal (float Right, float Left) CurrentLids => _retargeter.Lids;

    /// <summary>The portrait's own landmarks (pixels of the 512 portrait), empty before a portrait is set.</summary>
    internal ReadOnlySpan<Vector3> PortraitLandmarks => _rig is null ? [] : _rig.Landmarks;

    /// <summary>
    /// Renders <paramref name="texture"/> (portrait-sized) through the current warp instead of the portrait,
    /// without the mouth interior: with a coordinate texture this shows where each output pixel came from.
    /// False before a portrait is set.
    /// </summary>
    internal bool RenderSourceMap(RgbaImage texture, RgbaImage output)
    {
        if (_rig is null) return false;
        Draw(_rig, texture, output);
        return true;
    }

    /// <summary>
    /// One backward warp for every output pixel: the surround grid covers the whole frame (hair, neck,
    /// background), a skirt blends it into the face outline, then the face mesh is drawn over it far to near,
    /// skipping triangles that face away.
    /// </summary>
    private void Draw(PortraitRig rig, RgbaImage texture, RgbaImage output)
    {
        _field.Render(texture, output);
        _skirt.Draw(texture, _sources, _targets, _field, output);
        MeshRasterizer.RenderDepthSorted(texture, _sources, rig.Vertices, _retargeter.Posed, _targets, _retargeter.Depth, rig.FaceTriangles, _keys, _order, output);
    }

    /// <summary>True when the last driving frame contained a tracked face.</summary>
    public bool LastFrameHadFace { get; private set; }

    public void SetPortrait(PreparedPortrait portrait)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(portrait);
        if (portrait.Image.Width != Size || portrait.Image.Height != Size)
            throw new ArgumentException($"The lite engine needs a {Size}x{Size} prepared portrait.", nameof(portrait));
        var landmarks = new Vector3[FaceLandmarker.PointCount];
        _tracker.Reset();
        // Two passes: detection ROI, then the finer landmark-based ROI.
        if (!_tracker.Track(portrait.Image, landmarks) || !_tracker.Track(portrait.Image, landmarks))
            throw new ArgumentException("No face found in the prepared portrait.", nameof(portrait));
        _tracker.Reset();
        _rig = PortraitRig.Build(portrait.Image, landmarks);
        _targets = new Vector2[_rig.Vertices.Length];
        _sources = new Vector2[_rig.Vertices.Length];
        _keys = new float[_rig.FaceTriangles.Length / 3];
        _order = new int[_keys.Length];
        _retargeter.Reset();
        _logger.LogDebug("Portrait rig: {Vertices} vertices, {Triangles} triangles", _rig.Vertices.Length, _rig.Triangles.Length / 3);
    }

    public void Recenter() => _retargeter.Recenter();

    public IReadOnlyList<AnimatedFrame> Animate(IReadOnlyList<DrivingFrame> chunk)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(chunk);
        if (chunk.Count != ChunkSize) throw new ArgumentException($"The lite engine takes {ChunkSize} frame per call.", nameof(chunk));
        var frame = chunk[0];
        return [new AnimatedFrame(Render(frame), frame.CaptureTimeUs)];
    }

    private RgbaImage Render(DrivingFrame frame)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Size * Size * 4);
        var output = new RgbaImage(Size, Size, buffer, b => ArrayPool<byte>.Shared.Return(b));
        var rig = _rig;
        if (rig is null)
        {
            output.Pixels.Fill(32); // no portrait yet: dark grey
            return output;
        }

        var dt = _lastCaptureUs == long.MinValue || frame.CaptureTimeUs <= _lastCaptureUs ? 1f / 30 : (frame.CaptureTimeUs - _lastCaptureUs) / 1e6f;
        _lastCaptureUs = frame.CaptureTimeUs;

        LastFrameHadFace = _tracker.Track(frame.Image, _driver);
        var t0 = Stopwatch.GetTimestamp();
        if (LastFrameHadFace) _retargeter.Compute(rig, _driver, Math.Min(dt, 0.5f), _targets);
        else if (!_retargeter.HasNeutral) _retargeter.Rest(rig, _targets);
        // else: no face this frame -> hold the last pose.
        var t1 = Stopwatch.GetTimestamp();

        _field.Update(rig.Landmarks, _targets);
        rig.Vertices.CopyTo(_sources);
        if (_retargeter.HasNeutral) _retargeter.LidSources(rig, _sources);
        Draw(rig, rig.Image, output);
        if (_retargeter.HasNeutral) FillLids(rig, output);
        FillMouth(rig, output);
        var t2 = Stopwatch.GetTimestamp();
        LastTimings = new LiteFrameTimings(_tracker.LastDetectMs, _tracker.LastLandmarksMs,
            Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds, Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds);
        return output;
    }

    /// <summary>
    /// Paints the opened inner mouth (<see cref="MouthFill"/>), fading in as the lips part wider than in the
    /// portrait (the portrait's own gap already shows its texture) and the driver's lips are apart; closed lips get nothing.
    /// </summary>
    private void FillMouth(PortraitRig rig, RgbaImage output)
    {
        var across = _targets[FaceRoi.LeftEyeOuter] - _targets[FaceRoi.RightEyeOuter];
        var eyes = across.Length();
        var open = Vector2.Distance(_targets[PortraitRig.UpperLipInner], _targets[PortraitRig.LowerLipInner]) / Math.Max(eyes, 1e-3f);
        var alpha = Math.Clamp((open - rig.MouthOpening - MouthFadeStart) / MouthFadeRange, 0, 1)
            * (LastFrameHadFace ? Math.Clamp((FaceShape.MouthOpening(_driver) - MouthFadeStart) / MouthFadeRange, 0, 1) : 1);
        if (alpha <= 0) return;
        for (var i = 0; i < _mouth.Length; i++) _mouth[i] = _targets[PortraitRig.InnerMouth[i]];
        MouthFill.Fill(output, _mouth, across, rig.Mouth, alpha);
    }

    /// <summary>Paints closing lids over the warped eyes (<see cref="LidFill"/>), by how far each lid is closed.</summary>
    private void FillLids(PortraitRig rig, RgbaImage output)
    {
        var across = _targets[FaceRoi.LeftEyeOuter] - _targets[FaceRoi.RightEyeOuter];
        var down = new Vector2(-across.Y, across.X);
        var (right, left) = _retargeter.Lids;
        LidFill.Fill(output, _targets, FaceRoi.RightEyeOuter, FaceShape.RightInner, FaceShape.RightUpper1, FaceShape.RightUpper2, FaceShape.RightLower, FaceShape.RightLower1, down, rig.RightLid, 1 - right);
        LidFill.Fill(output, _targets, FaceRoi.LeftEyeOuter, FaceShape.LeftInner, FaceShape.LeftUpper1, FaceShape.LeftUpper2, FaceShape.LeftLower, FaceShape.LeftLower1, down, rig.LeftLid, 1 - left);
    }

    /// <summary>Lip gap beyond the portrait's (eye distances) where the painted mouth starts to show, and over which it fades in.</summary>
    public const float MouthFadeStart = 0.015f, MouthFadeRange = 0.04f;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _tracker.Dispose();
    }
}
