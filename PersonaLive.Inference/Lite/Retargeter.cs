using System.Numerics;
using PersonaLive.Inference.Faces;

namespace PersonaLive.Inference.Lite;

/// <summary>
/// Turns the driver's landmarks into target positions of a <see cref="PortraitRig"/>'s vertices
/// (docs/lite-engine.md, "Retargeting"): head pose is relative to a neutral driving frame (re-centre resets
/// it), applied in 3-D to the portrait's lifted mesh about the camera's axes with <see cref="YawGain"/> and <see cref="PitchGain"/>
/// (in the portrait's own head frame, a portrait whose head is pitched 20-25 degrees against the driver's turned a
/// driver's turn partly into a tilt and back: its roll read at half the driver's, r 0.73-0.83); the expression offset is
/// the driver's landmarks in the neutral head frame minus the neutral landmarks, carried into the
/// portrait's frame, and then made absolute by <see cref="AbsoluteExpressions"/> (mouth gap and lid opening
/// measured per frame, so a first frame mid-sentence or mid-blink biases nothing); translation and scale
/// are damped. Face points are smoothed with a One-Euro filter; the rings follow a 2-D similarity fit.
/// Per-session state; no allocation per frame.
/// </summary>
public sealed class Retargeter
{
    public const float TranslationGain = 0.8f, ScaleGain = 0.5f, MaxShiftFraction = 0.2f;

    /// <summary>Mean landmark motion (fraction of the eye distance) below which a frame counts as still.</summary>
    public const float StillThreshold = 0.02f;
    public const int MaxSettleFrames = 10;

    private readonly Vector3[] _neutral = new Vector3[FaceLandmarker.PointCount];
    private readonly Vector3[] _expressionNeutral = new Vector3[FaceLandmarker.PointCount];
    private float[] _mouthRegion = [];
    private PortraitRig? _mouthRegionFor;
    private bool _mouthAnchored;
    private readonly Vector3[] _previous = new Vector3[FaceLandmarker.PointCount];
    private readonly float[] _smoothed = new float[2 * FaceLandmarker.PointCount];
    private readonly float[] _depth = new float[FaceLandmarker.PointCount];
    private readonly Vector2[] _posed = new Vector2[FaceLandmarker.PointCount];
    private readonly Vector3[] _expression = new Vector3[FaceLandmarker.PointCount];
    private readonly AbsoluteExpressions _absolute = new();
    private readonly OneEuroFilterBank _filter = new(2 * FaceLandmarker.PointCount, minCutoff: 0.5f, beta: 0.015f);
    private bool _hasNeutral, _hasPrevious;
    private int _settleFrames;
    private RigidAlignment _neutralToPortrait;

    /// <summary>Depth of each face point after the head rotation (portrait pixels, larger = farther), for drawing order.</summary>
    public ReadOnlySpan<float> Depth => _depth;

    /// <summary>
    /// The portrait's face points under the head pose alone (no expression, no smoothing): which triangles face
    /// away is decided on these, so a triangle that an expression squeezes flat or flips (a closing lid, lips
    /// pressed together) is still drawn instead of leaving a hole onto the unwarped surround.
    /// </summary>
    public ReadOnlySpan<Vector2> Posed => _posed;

    /// <summary>Upper-lid source positions for the current lid openings (see <see cref="AbsoluteExpressions.ApplyLidSources"/>).</summary>
    public void LidSources(PortraitRig rig, Span<Vector2> sources) => _absolute.ApplyLidSources(rig, sources);

    /// <summary>Current lid openings (0 closed .. 1 as in the portrait), right then left eye.</summary>
    public (float Right, float Left) Lids => _absolute.Lids;

    /// <summary>True once a neutral pose was taken.</summary>
    public bool HasNeutral => _hasNeutral;

    /// <summary>
    /// Gains on the driver's turn (yaw) and nod (pitch): a 2-D photo warped by a 3-D rotation reads as rotated
    /// less than the driver, and the smoothing filter damps small slow turns more than large ones. So the gain is
    /// <see cref="YawGain"/> (<see cref="PitchGain"/>) plus <see cref="YawSmallTurnBoost"/> (<see cref="PitchSmallTurnBoost"/>) that fades out with the
    /// angle (Gaussian, <see cref="SmallTurnKnee"/> radians). Measured by <c>bench lite-quality</c> on real clips:
    /// a flat 1.3 overshot the blinking clip's large turns to 1.25-1.35 of the driver's amplitude, while a flat 1.15
    /// left the turning clip's 1-degree turns at 0.73. With the rotation about the camera's axes the landmark model
    /// reads a warped photo's 1-degree turns at only 0.6-0.7 of the mesh's (hence the larger yaw boost), its small
    /// nods at 1.5 and more of the driver's (hence the small pitch boost), and large nods of a portrait whose head
    /// is pitched (sample6) at about 0.65 of the mesh's (hence the larger pitch gain; 1.22 until large turns flattened
    /// the far cheek, see <see cref="Flattening"/>, which took sample6's nods from 0.84 to 0.80 of the driver's).
    /// </summary>
    public const float YawGain = 1.08f, PitchGain = 1.42f, YawSmallTurnBoost = 0.55f, PitchSmallTurnBoost = 0.15f, SmallTurnKnee = 0.1f;

    /// <summary>Forgets the neutral pose, the filter state and the eye references (new portrait).</summary>
    public void Reset()
    {
        Recenter();
        _absolute.Reset();
    }

    /// <summary>Forgets the neutral head pose only: the next still frame becomes straight ahead; expressions stay absolute.</summary>
    public void Recenter()
    {
        _hasNeutral = _hasPrevious = false;
        _settleFrames = 0;
        _filter.Reset();
    }

    /// <summary>Writes the rest pose (the portrait as is) into <paramref name="targets"/>.</summary>
    public void Rest(PortraitRig rig, Span<Vector2> targets)
    {
        rig.Vertices.CopyTo(targets);
        for (var i = 0; i < _depth.Length; i++) _depth[i] = rig.Landmarks[i].Z;
        rig.Vertices.AsSpan(0, _posed.Length).CopyTo(_posed);
    }

    /// <summary>
    /// Computes vertex targets for one driver frame. Returns false (targets = rest pose) while waiting for
    /// a stable neutral frame.
    /// </summary>
    public bool Compute(PortraitRig rig, ReadOnlySpan<Vector3> driver, float dt, Span<Vector2> targets)
    {
        var n = FaceLandmarker.PointCount;
        if (!_hasNeutral)
        {
            var still = false;
            if (_hasPrevious)
            {
                double motion = 0;
                for (var i = 0; i < n; i++) motion += Vector2.Distance(new(driver[i].X, driver[i].Y), new(_previous[i].X, _previous[i].Y));
                still = motion / n < StillThreshold * PortraitRig.EyeDistanceOf(driver);
            }
            driver.CopyTo(_previous);
            _hasPrevious = true;
            if (!still && ++_settleFrames < MaxSettleFrames)
            {
                Rest(rig, targets);
                return false;
            }
            driver.CopyTo(_neutral);
            driver.CopyTo(_expressionNeutral);
            _mouthAnchored = FaceShape.MouthOpening(_neutral) <= rig.MouthOpening + ClosedLips;
            _neutralToPortrait = RigidAlignment.Fit(_neutral, rig.Landmarks, RigidAlignment.RigidIndices);
            _hasNeutral = true;
        }

        var head = RigidAlignment.Fit(_neutral, driver, RigidAlignment.RigidIndices);
        var np = _neutralToPortrait;
        // The driver's rotation relative to neutral about the camera's axes, applied to the portrait's mesh as it is
        // seen: a turn stays a turn and a tilt a tilt, whatever way the portrait's head is held (see the class summary).
        var rotation = Amplify(head.Rotation);
        var scale = Math.Clamp(1 + ScaleGain * (head.Scale - 1), 0.8f, 1.25f);
        var shift3 = np.Scale * Vector3.Transform(head.ToCentre - head.FromCentre, np.Rotation) * TranslationGain;
        var shift = new Vector2(shift3.X, shift3.Y);
        var maxShift = MaxShiftFraction * rig.Image.Width;
        if (shift.Length() > maxShift) shift *= maxShift / shift.Length();
        var centre = np.ToCentre;

        var portrait = rig.Landmarks;
        var turned = Vector3.Transform(Vector3.UnitZ, rotation);
        var flatten = Flattening(turned);
        if (!_mouthAnchored && FaceShape.MouthOpening(driver) <= ClosedLips) AnchorMouth(rig, head, driver);
        for (var i = 0; i < n; i++) _expression[i] = head.Unmap(driver[i]) - _expressionNeutral[i];
        _absolute.CorrectMouth(rig, _expressionNeutral, _expression);
        _absolute.KeepUpperLipShape(rig, _expressionNeutral, _expression);
        // Lids rest open here; AbsoluteExpressions closes them after the filter (blinks are too quick for it).
        foreach (var lid in (ReadOnlySpan<int[]>)[FaceShape.RightUpper, FaceShape.RightLower, FaceShape.LeftUpper, FaceShape.LeftLower])
            foreach (var i in lid) _expression[i] = Vector3.Zero;
        for (var i = 0; i < n; i++)
        {
            var e = np.Scale * Vector3.Transform(_expression[i], np.Rotation);
            var p = portrait[i];
            if (p.Z > rig.DepthCap && flatten < 1)
            {
                // Only the side turning away folds; the near side keeps its depth (see Flattening).
                var away = -(turned.X * (p.X - centre.X) + turned.Y * (p.Y - centre.Y));
                var w = Math.Clamp(away / (FarSideBand * rig.EyeDistance), 0, 1);
                p.Z = rig.DepthCap + (1 - w * w * (3 - 2 * w) * (1 - flatten)) * (p.Z - rig.DepthCap);
            }
            var q = centre + scale * Vector3.Transform(p + e - centre, rotation);
            var rigid = centre + scale * Vector3.Transform(p - centre, rotation);
            _posed[i] = new Vector2(rigid.X + shift.X, rigid.Y + shift.Y);
            _depth[i] = q.Z;
            _smoothed[2 * i] = q.X + shift.X;
            _smoothed[2 * i + 1] = q.Y + shift.Y;
        }
        _filter.Filter(_smoothed, dt);
        for (var i = 0; i < n; i++) targets[i] = new Vector2(_smoothed[2 * i], _smoothed[2 * i + 1]);
        _absolute.MatchMouthGap(rig, driver, targets);
        _absolute.UpdateLids(driver, dt);
        _absolute.ApplyLids(targets);
        FollowRings(rig, targets);
        return true;
    }

    /// <summary>
    /// How much of the depth beyond <see cref="PortraitRig.DepthCap"/> a turn keeps: all of it for small turns,
    /// <see cref="FoldMargin"/> over the tangent of the turn (yaw) for larger ones; nods keep their depth (flattened by
    /// them too, a pitched portrait's nods read at 0.75 of the driver's). The landmark model's depth climbs
    /// steeply towards the face outline, so at 10-15 degrees the far cheek's outer band folded back behind the cheek: its
    /// triangles face away and were left out, and the surround showed through in notches along the far cheek (tear score
    /// 0.02 on the blinking clip). Flattened, that band squeezes instead. Small turns keep the full depth: the landmark
    /// model reads one-degree turns of the output by how the outline moves (flattened at every angle, the turning clip's
    /// yaw r fell from 0.9 to 0.68). Only points the turn carries away from the camera are flattened, fully once they
    /// move back by <see cref="FarSideBand"/> eye distances: the near side does not fold, and flattened on both sides the
    /// output's large turns read at 0.71-0.74 of the driver's. <paramref name="axis"/> is the camera axis under the head rotation.
    /// </summary>
    private static float Flattening(Vector3 axis)
    {
        var tan = MathF.Sqrt(axis.X * axis.X + axis.Y * axis.Y) / MathF.Max(axis.Z, 1e-3f);
        return Math.Min(1f, FoldMargin / MathF.Max(tan, 1e-6f));
    }

    /// <summary>See <see cref="Flattening"/>: the full depth is kept up to a turn of about 3.4 degrees.</summary>
    public const float FoldMargin = 0.06f;

    /// <summary>Depth gain (eye distances) under the rotation at which a point beyond the depth cap is flattened fully.</summary>
    public const float FarSideBand = 0.05f;

    /// <summary>Driver lip gap (eye distances) at or below which the lips count as closed.</summary>
    public const float ClosedLips = 0.03f;

    /// <summary>
    /// A session that started with the mouth open (mid-sentence) takes the mouth's neutral shape again from the first
    /// frame whose lips are closed: the mouth region's expression neutral (the lips fully, the face around them
    /// fading out over one mouth width) becomes this frame. Until then <see cref="AbsoluteExpressions"/> corrects the
    /// lip gap, but every other offset was measured against an open mouth: a driver whose mouth is narrower closed
    /// than wide open pulled the portrait's closed lips into a narrow, tall pout. The head pose keeps its neutral.
    /// </summary>
    private void AnchorMouth(PortraitRig rig, RigidAlignment head, ReadOnlySpan<Vector3> driver)
    {
        var region = MouthRegion(rig);
        for (var i = 0; i < region.Length; i++)
            if (region[i] > 0) _expressionNeutral[i] = Vector3.Lerp(_expressionNeutral[i], head.Unmap(driver[i]), region[i]);
        _mouthAnchored = true;
    }

    /// <summary>1 on and near the lips, fading to 0 between 1.3 and 2.3 half mouth widths from the mouth's centre.</summary>
    private float[] MouthRegion(PortraitRig rig)
    {
        if (ReferenceEquals(_mouthRegionFor, rig)) return _mouthRegion;
        var p = rig.Landmarks;
        Vector2 left = new(p[FaceShape.MouthLeftCorner].X, p[FaceShape.MouthLeftCorner].Y), right = new(p[FaceShape.MouthRightCorner].X, p[FaceShape.MouthRightCorner].Y);
        var centre = (left + right) / 2;
        var half = MathF.Max(Vector2.Distance(left, right) / 2, 1);
        var w = new float[FaceLandmarker.PointCount];
        for (var i = 0; i < w.Length; i++)
        {
            var t = Math.Clamp((Vector2.Distance(new Vector2(p[i].X, p[i].Y), centre) / half - 1.3f) / 1.0f, 0, 1);
            w[i] = 1 - t * t * (3 - 2 * t);
        }
        (_mouthRegion, _mouthRegionFor) = (w, rig);
        return w;
    }

    /// <summary>Scales the x (pitch) and y (yaw) parts of the rotation vector by <see cref="PitchGain"/> and <see cref="YawGain"/>; roll as is.</summary>
    private static Quaternion Amplify(Quaternion q)
    {
        if (q.W < 0) q = Quaternion.Negate(q);
        var sinHalf = MathF.Sqrt(q.X * q.X + q.Y * q.Y + q.Z * q.Z);
        if (sinHalf < 1e-6f) return q;
        var angle = 2 * MathF.Atan2(sinHalf, q.W);
        var v = new Vector3(q.X, q.Y, q.Z) / sinHalf * angle;
        v = new Vector3(v.X * Gain(PitchGain, PitchSmallTurnBoost, v.X), v.Y * Gain(YawGain, YawSmallTurnBoost, v.Y), v.Z);
        var a = v.Length();
        return a < 1e-6f ? Quaternion.Identity : Quaternion.CreateFromAxisAngle(v / a, a);
    }

    private static float Gain(float gain, float boost, float angle) => gain + boost * MathF.Exp(-angle * angle / (SmallTurnKnee * SmallTurnKnee));

    /// <summary>Rings and border: least-squares 2-D similarity of the face points, scaled by each vertex's follow weight.</summary>
    private static void FollowRings(PortraitRig rig, Span<Vector2> targets)
    {
        var n = FaceLandmarker.PointCount;
        var src = rig.Vertices;
        Vector2 cs = default, cd = default;
        for (var i = 0; i < n; i++) { cs += src[i]; cd += targets[i]; }
        cs /= n;
        cd /= n;
        double dot = 0, cross = 0, norm = 0;
        for (var i = 0; i < n; i++)
        {
            var p = src[i] - cs;
            var q = targets[i] - cd;
            dot += p.X * q.X + p.Y * q.Y;
            cross += p.X * q.Y - p.Y * q.X;
            norm += p.X * p.X + p.Y * p.Y;
        }
        float a = (float)(dot / norm), b = (float)(cross / norm);
        for (var i = n; i < src.Length; i++)
        {
            var p = src[i] - cs;
            var moved = new Vector2(a * p.X - b * p.Y, b * p.X + a * p.Y) + cd;
            targets[i] = src[i] + rig.Follow[i] * (moved - src[i]);
        }
    }
}
