using System.Numerics;
using PersonaLive.Inference.Faces;

namespace PersonaLive.Inference.Lite;

/// <summary>
/// Expression measures on the 468 face landmarks in face-normalised units, so they compare across people
/// and frames on an absolute scale: eye opening = mean lid gap over the eye's width, mouth opening =
/// inner-lip gap over the eye distance. Also names the landmark groups the retargeter moves by them.
/// </summary>
public static class FaceShape
{
    /// <summary>Upper-lid points of the subject's right eye (image left), paired one by one with <see cref="RightLower"/>.</summary>
    public static readonly int[] RightUpper = [246, 161, 160, 159, 158, 157, 173];
    public static readonly int[] RightLower = [7, 163, 144, 145, 153, 154, 155];
    public static readonly int[] LeftUpper = [466, 388, 387, 386, 385, 384, 398];
    public static readonly int[] LeftLower = [249, 390, 373, 374, 380, 381, 382];
    public const int RightInner = 133, LeftInner = 362;

    /// <summary>Inner and outer lower lip: the points a jaw drop carries down fully.</summary>
    public static readonly int[] LowerLip = [95, 88, 178, 87, 14, 317, 402, 318, 324, 146, 91, 181, 84, 17, 314, 405, 321, 375];
    /// <summary>Inner and outer upper lip: the points that stay with the skull when the mouth opens.</summary>
    public static readonly int[] UpperLip = [191, 80, 81, 82, 13, 312, 311, 310, 415, 185, 40, 39, 37, 0, 267, 269, 270, 409];
    public const int MouthLeftCorner = 61, MouthRightCorner = 291, InnerLeftCorner = 78, InnerRightCorner = 308;

    /// <summary>Opening of the subject's right eye: mean gap of the three central lid pairs over the corner distance.</summary>
    public static float RightEyeOpening(ReadOnlySpan<Vector3> p) => EyeOpening(p, RightUpper, RightLower, FaceRoi.RightEyeOuter, RightInner);

    public static float LeftEyeOpening(ReadOnlySpan<Vector3> p) => EyeOpening(p, LeftUpper, LeftLower, FaceRoi.LeftEyeOuter, LeftInner);

    /// <summary>Inner-lip gap over the eye distance (0 for closed lips).</summary>
    public static float MouthOpening(ReadOnlySpan<Vector3> p) => PortraitRig.MouthOpeningOf(p);

    private static float EyeOpening(ReadOnlySpan<Vector3> p, int[] upper, int[] lower, int outer, int inner)
    {
        var width = Vector2.Distance(Xy(p[outer]), Xy(p[inner]));
        var gap = 0f;
        for (var k = 2; k <= 4; k++) gap += Vector2.Distance(Xy(p[upper[k]]), Xy(p[lower[k]]));
        return gap / 3 / MathF.Max(width, 1e-3f);
    }

    private static Vector2 Xy(Vector3 v) => new(v.X, v.Y);
}
