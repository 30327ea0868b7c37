using System.Numerics;
using PersonaLive.Inference.Faces;

namespace PersonaLive.Inference.Lite;

/// <summary>
/// Mouth and eye opening on an absolute scale, so the frame a session starts on (mid-sentence, mid-blink)
/// biases nothing. The retargeter transfers expressions relative to the driver's neutral frame; this class
/// (1) shifts the lower face so the portrait's lip gap equals the driver's current gap in face-normalised
/// units, whatever the neutral frame's gap was, and (2) sets each upper lid between the portrait's own
/// closed (on the lower lid) and open position by the driver's eye opening over its open reference, a
/// slowly adapting peak of the driver's recent openings, so a closed driver eye closes the portrait's.
/// Per-session state; no allocation per frame.
/// </summary>
public sealed class AbsoluteExpressions
{
    /// <summary>
    /// Openings at or below this share of the driver's open reference count as a fully closed lid, at or above
    /// <see cref="OpenShare"/> as open. The landmark model reads a closed eye as about 55-60 % of an open one
    /// on real webcam footage (its lids never meet), hence the high floor; on the turning clip the speaker's shut eyes
    /// read at 0.6 of his open reference, so at 0.58 the portrait's lids stopped short of shut there (a third open).
    /// </summary>
    public const float ClosedShare = 0.65f, OpenShare = 0.9f;
    /// <summary>A portrait eye may open this much wider than in the photo (surprise).</summary>
    public const float MaxWiden = 1.2f;
    /// <summary>Floor of the open reference (typical open-eye opening is 0.25-0.35 in these units).</summary>
    public const float MinOpenReference = 0.2f;
    public const float ReferenceRiseSeconds = 0.3f, ReferenceDecaySeconds = 20f, LidSmoothingSeconds = 0.03f;

    private float[] _lowerFaceWeights = [];
    private int[] _upperLipBody = [];
    private PortraitRig? _weightsFor;
    private float _rightRef, _leftRef, _right = 1, _left = 1;
    private bool _started;

    /// <summary>Smoothed lid openings (0 closed .. 1 as in the portrait) of the last frame, right then left eye.</summary>
    public (float Right, float Left) Lids => (_right, _left);

    public void Reset() => _started = false;

    /// <summary>Share of a lip gap that comes from the upper lip rising; the rest is the jaw dropping.</summary>
    public const float UpperLipShare = 0.3f;

    /// <summary>
    /// Adds to the relative expression offsets <paramref name="expression"/> (driver-neutral pixels) the lip
    /// shift that makes the gap absolute when the driver's neutral frame had its mouth more open than the
    /// portrait: (neutral gap - portrait gap) x eye distance, split between the upper lip (up) and the lower
    /// face (down). A neutral frame no more open than the portrait needs none (closing the portrait's own gap
    /// further would push one lip over the other).
    /// </summary>
    public void CorrectMouth(PortraitRig rig, ReadOnlySpan<Vector3> neutral, Span<Vector3> expression)
    {
        var weights = LowerFaceWeights(rig);
        var shift = FaceShape.MouthOpening(neutral) - rig.MouthOpening;
        if (shift <= 0) return;
        var eyes = PortraitRig.EyeDistanceOf(neutral);
        var across = Vector3.Normalize(neutral[FaceRoi.LeftEyeOuter] - neutral[FaceRoi.RightEyeOuter]);
        var down = new Vector3(-across.Y, across.X, 0);
        var offset = down * (shift * eyes);
        for (var i = 0; i < weights.Length; i++)
            if (weights[i] > 0) expression[i] += (1 - UpperLipShare) * weights[i] * offset;
        foreach (var i in UpperLipBody(rig)) expression[i] -= UpperLipShare * offset;
    }

    /// <summary>
    /// When the neutral frame's mouth was open, moves the upper lip's body up and down as one piece with its inner
    /// edge: every point of it gets (in proportion to how open the neutral mouth was, fully from
    /// <see cref="RigidLipFrom"/>) the mean vertical offset of the inner upper lip, so the lips still meet where
    /// the driver's do; sideways offsets, a smile's widening, stay its own. A talking driver's inner and outer
    /// upper lip move by different amounts as the lips close from an open neutral frame, and carried over point
    /// by point that stretched the portrait's upper lip tall at closed lips. From a closed neutral the lip keeps
    /// its own motion.
    /// </summary>
    public void KeepUpperLipShape(PortraitRig rig, ReadOnlySpan<Vector3> neutral, Span<Vector3> expression)
    {
        var rigid = Math.Clamp((FaceShape.MouthOpening(neutral) - rig.MouthOpening) / RigidLipFrom, 0, 1);
        if (rigid <= 0) return;
        var body = UpperLipBody(rig);
        var across = Vector3.Normalize(neutral[FaceRoi.LeftEyeOuter] - neutral[FaceRoi.RightEyeOuter]);
        var down = Vector3.Normalize(new Vector3(-across.Y, across.X, 0));
        var edge = 0f;
        foreach (var i in InnerUpperLip) edge += Vector3.Dot(expression[i], down);
        edge /= InnerUpperLip.Length;
        foreach (var i in body) expression[i] += rigid * (edge - Vector3.Dot(expression[i], down)) * down;
    }

    /// <summary>The inner contour of the upper lip between the corners (MediaPipe indices).</summary>
    private static readonly int[] InnerUpperLip = [191, 80, 81, 82, 13, 312, 311, 310, 415];

    /// <summary>Neutral lip gap beyond the portrait's (eye distances) from which the upper lip moves fully as one piece.</summary>
    public const float RigidLipFrom = 0.08f;

    /// <summary>
    /// The last word on the lip gap, after smoothing: moves the lower face (the lower lip fully, the chin and the
    /// corners partly; the upper lip stays, pulling it down to meet the lower one stretched it) until the targets' inner-lip gap over their eye distance equals the driver's
    /// own, whatever the relative transfer left (a talking driver's lips do not move as the neutral frame's
    /// offsets predict, which left closed driver lips apart on the portrait after a mid-sentence start).
    /// </summary>
    public void MatchMouthGap(PortraitRig rig, ReadOnlySpan<Vector3> driver, Span<Vector2> targets)
    {
        var weights = LowerFaceWeights(rig);
        var across = targets[FaceRoi.LeftEyeOuter] - targets[FaceRoi.RightEyeOuter];
        var eyes = across.Length();
        if (eyes < 1e-3f) return;
        across /= eyes;
        var down = new Vector2(-across.Y, across.X);
        var gap = Vector2.Dot(targets[PortraitRig.LowerLipInner] - targets[PortraitRig.UpperLipInner], down) / eyes;
        var delta = (FaceShape.MouthOpening(driver) - gap) * eyes * down;
        for (var i = 0; i < weights.Length; i++)
            if (weights[i] > 0) targets[i] += weights[i] * delta;
    }

    /// <summary>Updates the lid openings from the driver's landmarks of this frame.</summary>
    public void UpdateLids(ReadOnlySpan<Vector3> driver, float dt)
    {
        // Both eyes read as one (their mean opening over a shared reference): blinks are binocular, while each eye's
        // own reading swings with head turns and tracker noise, which closed one lid and not the other. Winks are
        // not transferred. Widths are measured in 3-D so a turn does not foreshorten the far eye.
        var both = (TrueOpening(driver, FaceShape.RightUpper, FaceShape.RightLower, FaceRoi.RightEyeOuter, FaceShape.RightInner)
            + TrueOpening(driver, FaceShape.LeftUpper, FaceShape.LeftLower, FaceRoi.LeftEyeOuter, FaceShape.LeftInner)) / 2;
        float right = both, left = both;
        if (!_started)
        {
            _rightRef = MathF.Max(right, MinOpenReference);
            _leftRef = MathF.Max(left, MinOpenReference);
            _right = Share(right, _rightRef);
            _left = Share(left, _leftRef);
            _started = true;
        }
        _rightRef = Follow(_rightRef, right, dt);
        _leftRef = Follow(_leftRef, left, dt);
        var a = Math.Min(dt / LidSmoothingSeconds, 1f);
        _right += (Share(right, _rightRef) - _right) * a;
        _left += (Share(left, _leftRef) - _left) * a;
    }

    /// <summary>Moves the upper-lid targets towards the lower lid by the current lid openings.</summary>
    public void ApplyLids(Span<Vector2> targets)
    {
        Lid(targets, FaceShape.RightUpper, FaceShape.RightLower, _right);
        Lid(targets, FaceShape.LeftUpper, FaceShape.LeftLower, _left);
    }

    /// <summary>Share of the way from the second ring above the lash line to the third that the second ring's source moves at a closed lid.</summary>
    public const float LidSkinLift = 0.7f;
    /// <summary>Share of the way to the ring below it that the lower lid's source moves at a closed lid (past the white of the eye).</summary>
    public const float LowerLidSkinDrop = 0.8f;

    /// <summary>
    /// Moves the lid sources as the lids close, so a closed lid is drawn with the skin above the eye: the upper
    /// lash line samples from the second ring above it and that ring from most of the way to the third (the lid
    /// skin below the crease), and the lower lid samples from towards the ring below it, so the white of the eye
    /// just above the lower lid landmarks does not stay as a pale crescent. The rings are MediaPipe's eye contours;
    /// sources never pass the next ring, so no band of the mesh samples its texture upside down (which mirrored
    /// the lash line above a closed eye).
    /// </summary>
    public void ApplyLidSources(PortraitRig rig, Span<Vector2> sources)
    {
        LidSource(rig, sources, FaceShape.RightUpper, FaceShape.RightUpper1, FaceShape.RightUpper2, FaceShape.RightLower, FaceShape.RightLower1, _right);
        LidSource(rig, sources, FaceShape.LeftUpper, FaceShape.LeftUpper1, FaceShape.LeftUpper2, FaceShape.LeftLower, FaceShape.LeftLower1, _left);
    }

    private static void LidSource(PortraitRig rig, Span<Vector2> sources, int[] upper, int[] upper1, int[] upper2, int[] lower, int[] lower1, float opening)
    {
        var closing = 1 - Math.Clamp(opening, 0, 1);
        if (closing <= 0) return;
        var p = rig.Landmarks;
        for (var k = 0; k < upper.Length; k++)
        {
            sources[upper[k]] = Vector2.Lerp(Xy(p[upper[k]]), Xy(p[upper1[k]]), closing);
            sources[upper1[k]] = Vector2.Lerp(Xy(p[upper1[k]]), Xy(p[upper2[k]]), closing * LidSkinLift);
            sources[lower[k]] = Vector2.Lerp(Xy(p[lower[k]]), Xy(p[lower1[k]]), closing * LowerLidSkinDrop);
        }
    }

    private static void Lid(Span<Vector2> targets, int[] upper, int[] lower, float opening)
    {
        for (var k = 0; k < upper.Length; k++)
        {
            var low = targets[lower[k]];
            targets[upper[k]] = low + opening * (targets[upper[k]] - low);
        }
    }

    /// <summary>Mean gap of the three central lid pairs over the eye's corner distance, both in 3-D.</summary>
    private static float TrueOpening(ReadOnlySpan<Vector3> p, int[] upper, int[] lower, int outer, int inner)
    {
        var gap = 0f;
        for (var k = 2; k <= 4; k++) gap += Vector3.Distance(p[upper[k]], p[lower[k]]);
        return gap / 3 / MathF.Max(Vector3.Distance(p[outer], p[inner]), 1e-3f);
    }

    private static float Share(float opening, float reference) =>
        Math.Clamp((opening / reference - ClosedShare) / (OpenShare - ClosedShare), 0, MaxWiden);

    private static float Follow(float reference, float value, float dt)
    {
        if (value > reference) return reference + (value - reference) * Math.Min(dt / ReferenceRiseSeconds, 1f);
        return Math.Max(MinOpenReference, reference - (reference - value) * Math.Min(dt / ReferenceDecaySeconds, 1f));
    }

    /// <summary>
    /// How fully each landmark follows a jaw drop: the lower lip fully, the upper lip not at all, and the
    /// rest of the face below the mouth line fully near the mouth, fading out towards the jaw's sides.
    /// </summary>
    private float[] LowerFaceWeights(PortraitRig rig)
    {
        if (ReferenceEquals(_weightsFor, rig)) return _lowerFaceWeights;
        var p = rig.Landmarks;
        var w = new float[FaceLandmarker.PointCount];
        var across = Vector2.Normalize(Xy(p[FaceRoi.LeftEyeOuter]) - Xy(p[FaceRoi.RightEyeOuter]));
        var down = new Vector2(-across.Y, across.X);
        var left = Xy(p[FaceShape.MouthLeftCorner]);
        var right = Xy(p[FaceShape.MouthRightCorner]);
        var centre = (left + right) / 2;
        var half = MathF.Max(Vector2.Distance(left, right) / 2, 1);
        for (var i = 0; i < w.Length; i++)
        {
            var d = Xy(p[i]) - centre;
            var below = Vector2.Dot(d, down) / half;
            var side = MathF.Abs(Vector2.Dot(d, across)) / half;
            w[i] = SmoothStep(0.05f, 0.3f, below) * (1 - SmoothStep(1.1f, 2.2f, side));
        }
        // Every point of the lip body (the mesh has rings between the inner and outer contours) follows its own
        // lip: a partly carried lower-lip ring would end up above the inner lip and fold the lip over itself.
        for (var i = 0; i < w.Length; i++)
            if (FaceShape.InsideOuterLips(p, Xy(p[i]))) w[i] = FaceShape.BelowLipLine(p, Xy(p[i])) ? 1 : 0;
        foreach (var i in FaceShape.LowerLip) w[i] = 1;
        foreach (var i in FaceShape.UpperLip) w[i] = 0;
        w[FaceShape.MouthLeftCorner] = w[FaceShape.MouthRightCorner] = w[FaceShape.InnerLeftCorner] = w[FaceShape.InnerRightCorner] = 0.5f;
        var upper = new List<int>(FaceShape.UpperLip);
        for (var i = 0; i < w.Length; i++)
            if (!upper.Contains(i) && FaceShape.InsideOuterLips(p, Xy(p[i])) && !FaceShape.BelowLipLine(p, Xy(p[i])) && w[i] == 0) upper.Add(i);
        (_lowerFaceWeights, _upperLipBody, _weightsFor) = (w, upper.ToArray(), rig);
        return w;
    }

    /// <summary>The upper lip's points, its inner rings included (they rise with it).</summary>
    private int[] UpperLipBody(PortraitRig rig)
    {
        LowerFaceWeights(rig);
        return _upperLipBody;
    }

    private static float SmoothStep(float a, float b, float x)
    {
        var t = Math.Clamp((x - a) / (b - a), 0, 1);
        return t * t * (3 - 2 * t);
    }

    private static Vector2 Xy(Vector3 v) => new(v.X, v.Y);
}
