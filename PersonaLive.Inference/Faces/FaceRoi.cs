using System.Numerics;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Faces;

/// <summary>
/// The rotated square region the landmark model looks at (docs/lite-engine.md, "Landmarks and tracking"):
/// centred on the face, rotated so the eye line is horizontal, 1.5x the face's long side.
/// </summary>
public readonly record struct FaceRoi(float CenterX, float CenterY, float Size, float Angle)
{
    public const float Scale = 1.5f;

    /// <summary>Landmark indices whose line defines the tracking rotation (eye outer corners).</summary>
    public const int RightEyeOuter = 33, LeftEyeOuter = 263;

    public static FaceRoi FromDetection(FaceDetection d)
    {
        var (x0, y0) = d.Keypoint(0);
        var (x1, y1) = d.Keypoint(1);
        return new(d.CenterX, d.CenterY, Math.Max(d.Width, d.Height) * Scale, MathF.Atan2(y1 - y0, x1 - x0));
    }

    /// <summary>ROI for the next frame from this frame's landmarks: rotated bounding box, squared, scaled.</summary>
    public static FaceRoi FromLandmarks(ReadOnlySpan<Vector3> points)
    {
        var a = points[RightEyeOuter];
        var b = points[LeftEyeOuter];
        var angle = MathF.Atan2(b.Y - a.Y, b.X - a.X);
        float cos = MathF.Cos(angle), sin = MathF.Sin(angle);
        float minU = float.MaxValue, maxU = float.MinValue, minV = float.MaxValue, maxV = float.MinValue;
        foreach (var p in points)
        {
            var u = p.X * cos + p.Y * sin;      // coordinates in the rotated frame
            var v = -p.X * sin + p.Y * cos;
            minU = Math.Min(minU, u); maxU = Math.Max(maxU, u);
            minV = Math.Min(minV, v); maxV = Math.Max(maxV, v);
        }
        float cu = (minU + maxU) / 2, cv = (minV + maxV) / 2;
        return new(cu * cos - cv * sin, cu * sin + cv * cos, Math.Max(maxU - minU, maxV - minV) * Scale, angle);
    }

    /// <summary>Crop pixel -> image pixel for a <paramref name="cropSize"/> crop of this region.</summary>
    public Affine2 CropToImage(int cropSize) => Affine2.SquareRegion(CenterX, CenterY, Size, Angle, cropSize);
}
