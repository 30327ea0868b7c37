using System.Numerics;

namespace PersonaLive.Inference.Diffusion;

/// <summary>
/// A head pose in LivePortrait's conventions (port-notes §6): pitch, yaw, roll in degrees, translation
/// (only x and y move keypoints) and scale.
/// </summary>
public readonly record struct HeadPose(float Pitch, float Yaw, float Roll, Vector3 T, float Scale);

/// <summary>
/// LivePortrait keypoint math as the official online pipeline uses it (port-notes §6):
/// 66-bin head-pose expectation, R = Rz·Ry·Rx and its transpose, keypoint transform, transfer of a
/// driving pose onto the portrait, and the 12 warm-up poses of the first chunk.
/// </summary>
public static class KeypointMath
{
    public const int Bins = 66;
    public const int KeypointCount = 21;
    public const int WarmUpFrames = 12;

    /// <summary>Softmax over 66 logits, expectation of the bin index, times 3, minus 97.5 (degrees).</summary>
    public static float HeadPoseDegrees(ReadOnlySpan<float> logits)
    {
        if (logits.Length != Bins) throw new ArgumentException($"Head-pose logits must have {Bins} bins, got {logits.Length}.", nameof(logits));
        var max = float.NegativeInfinity;
        foreach (var v in logits) max = Math.Max(max, v);
        double sum = 0, expectation = 0;
        for (var i = 0; i < Bins; i++)
        {
            var e = Math.Exp(logits[i] - max);
            sum += e;
            expectation += e * i;
        }
        return (float)(expectation / sum * 3 - 97.5);
    }

    /// <summary>
    /// R transposed (row-major 3x3) for pitch x, yaw y, roll z in degrees, where R = Rz(z)·Ry(y)·Rx(x) with
    /// the right-handed elementary rotations (what <c>camera.get_rotation_matrix</c> returns).
    /// </summary>
    public static void RotationTransposed(float pitch, float yaw, float roll, Span<float> m)
    {
        double x = pitch * Math.PI / 180, y = yaw * Math.PI / 180, z = roll * Math.PI / 180;
        double cx = Math.Cos(x), sx = Math.Sin(x), cy = Math.Cos(y), sy = Math.Sin(y), cz = Math.Cos(z), sz = Math.Sin(z);
        // R = Rz Ry Rx
        Span<double> r =
        [
            cz * cy, cz * sy * sx - sz * cx, cz * sy * cx + sz * sx,
            sz * cy, sz * sy * sx + cz * cx, sz * sy * cx - cz * sx,
            -sy, cy * sx, cy * cx,
        ];
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
                m[i * 3 + j] = (float)r[j * 3 + i];
    }

    /// <summary>
    /// Transformed keypoints: each canonical row (x,y,z) times R-transposed, times scale, then x and y
    /// shifted by t (z unshifted; no expression term). <paramref name="kp"/> and <paramref name="dst"/> hold 63 values.
    /// </summary>
    public static void Transform(ReadOnlySpan<float> kp, in HeadPose pose, Span<float> dst)
    {
        if (kp.Length < KeypointCount * 3 || dst.Length < KeypointCount * 3) throw new ArgumentException("Keypoints need 63 values.");
        Span<float> m = stackalloc float[9];
        RotationTransposed(pose.Pitch, pose.Yaw, pose.Roll, m);
        for (var k = 0; k < KeypointCount; k++)
        {
            float x = kp[3 * k], y = kp[3 * k + 1], z = kp[3 * k + 2];
            dst[3 * k] = (x * m[0] + y * m[3] + z * m[6]) * pose.Scale + pose.T.X;
            dst[3 * k + 1] = (x * m[1] + y * m[4] + z * m[7]) * pose.Scale + pose.T.Y;
            dst[3 * k + 2] = (x * m[2] + y * m[5] + z * m[8]) * pose.Scale;
        }
    }

    /// <summary>
    /// Transfer onto the portrait: the frame's own angles, t = (t_frame - t_first) * 0.5 + t_portrait,
    /// the portrait's scale (the canonical keypoints used with it are the portrait's).
    /// </summary>
    public static HeadPose Transfer(in HeadPose frame, in HeadPose firstFrame, in HeadPose portrait) =>
        new(frame.Pitch, frame.Yaw, frame.Roll, (frame.T - firstFrame.T) * 0.5f + portrait.T, portrait.Scale);

    /// <summary>
    /// Weight of warm-up pose <paramref name="k"/> (0..11): k/12 from a 13-point fp16 linspace with the last
    /// point dropped, so pose 0 is the portrait and the sequence stops one step short of the first frame.
    /// </summary>
    public static float WarmUpWeight(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, WarmUpFrames);
        return (float)(Half)(k / 12f);
    }

    /// <summary>Warm-up pose k: angles interpolated portrait -> first frame; t and scale stay the portrait's.</summary>
    public static HeadPose WarmUp(in HeadPose portrait, in HeadPose firstFrame, int k)
    {
        var w = WarmUpWeight(k);
        return new HeadPose(
            (1 - w) * portrait.Pitch + w * firstFrame.Pitch,
            (1 - w) * portrait.Yaw + w * firstFrame.Yaw,
            (1 - w) * portrait.Roll + w * firstFrame.Roll,
            portrait.T, portrait.Scale);
    }
}
