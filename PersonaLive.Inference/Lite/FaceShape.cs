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
    /// <summary>The rings around each eye, paired point by point with the lid points above: the second and third
    /// contour above the upper lid (towards the crease) and the second below the lower lid.</summary>
    public static readonly int[] RightUpper1 = [247, 30, 29, 27, 28, 56, 190], RightUpper2 = [113, 225, 224, 223, 222, 221, 189], RightLower1 = [25, 110, 24, 23, 22, 26, 112];
    public static readonly int[] LeftUpper1 = [467, 260, 259, 257, 258, 286, 414], LeftUpper2 = [342, 445, 444, 443, 442, 441, 413], LeftLower1 = [255, 339, 254, 253, 252, 256, 341];

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

    /// <summary>Outer lip contour, upper lip corner to corner then lower lip back.</summary>
    private static readonly int[] OuterLips = [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146];
    /// <summary>Inner lip pairs (upper, lower) from the right corner to the left: their midpoints trace the line the lips meet on.</summary>
    private static readonly (int Upper, int Lower)[] LipLine =
        [(78, 78), (191, 95), (80, 88), (81, 178), (82, 87), (13, 14), (312, 317), (311, 402), (310, 318), (415, 324), (308, 308)];

    /// <summary>True when <paramref name="q"/> lies inside the outer lip contour of <paramref name="p"/> (the lips' body).</summary>
    public static bool InsideOuterLips(ReadOnlySpan<Vector3> p, Vector2 q)
    {
        var inside = false;
        for (int i = 0, j = OuterLips.Length - 1; i < OuterLips.Length; j = i++)
        {
            Vector2 a = Xy(p[OuterLips[i]]), b = Xy(p[OuterLips[j]]);
            if ((a.Y > q.Y) != (b.Y > q.Y) && q.X < a.X + (q.Y - a.Y) * (b.X - a.X) / (b.Y - a.Y)) inside = !inside;
        }
        return inside;
    }

    /// <summary>True when <paramref name="q"/> lies below the line the lips meet on (in the face's own up/down, so roll does not matter).</summary>
    public static bool BelowLipLine(ReadOnlySpan<Vector3> p, Vector2 q)
    {
        var across = Vector2.Normalize(Xy(p[FaceRoi.LeftEyeOuter]) - Xy(p[FaceRoi.RightEyeOuter]));
        var down = new Vector2(-across.Y, across.X);
        var qa = Vector2.Dot(q, across);
        for (var k = 1; k < LipLine.Length; k++)
        {
            Vector2 a = (Xy(p[LipLine[k - 1].Upper]) + Xy(p[LipLine[k - 1].Lower])) / 2, b = (Xy(p[LipLine[k].Upper]) + Xy(p[LipLine[k].Lower])) / 2;
            float aa = Vector2.Dot(a, across), ba = Vector2.Dot(b, across);
            if (k < LipLine.Length - 1 && qa > ba) continue;
            var t = Math.Clamp((qa - aa) / MathF.Max(ba - aa, 1e-3f), 0, 1);
            return Vector2.Dot(q, down) > Vector2.Dot(Vector2.Lerp(a, b, t), down);
        }
        return false;
    }

    private static Vector2 Xy(Vector3 v) => new(v.X, v.Y);
}
