using System.Numerics;
using PersonaLive.Inference.Diffusion;

namespace PersonaLive.Inference.Tests.Diffusion;

/// <summary>LivePortrait head-pose math: expectation, rotations, transfer and warm-up.</summary>
public sealed class KeypointMathTests
{
    [Fact]
    public void HeadPoseIsTheSoftmaxExpectationOfTheBins()
    {
        var logits = new float[66];
        Assert.Equal(0f, KeypointMath.HeadPoseDegrees(logits), 4); // uniform: mean bin 32.5 -> 0 degrees
        logits[40] = 100;
        Assert.Equal(40 * 3 - 97.5f, KeypointMath.HeadPoseDegrees(logits), 3);
        logits[10] = 100; // two equal peaks: mean bin 25
        Assert.Equal(25 * 3 - 97.5f, KeypointMath.HeadPoseDegrees(logits), 3);
        logits = new float[66];
        logits[0] = MathF.Log(3); // weights 3:1 between bins 0 and 1 among 66: check against direct sum
        double sum = 0, exp = 0;
        for (var i = 0; i < 66; i++) { var e = Math.Exp(logits[i]); sum += e; exp += e * i; }
        Assert.Equal(exp / sum * 3 - 97.5, KeypointMath.HeadPoseDegrees(logits), 4);
        Assert.Throws<ArgumentException>(() => KeypointMath.HeadPoseDegrees(new float[65]));
    }

    [Theory]
    [InlineData(12f, -30f, 7f)]
    [InlineData(-80f, 45f, 170f)]
    [InlineData(0f, 0f, 0f)]
    public void RotationIsOrthonormalWithDeterminantOne(float pitch, float yaw, float roll)
    {
        var m = new float[9];
        KeypointMath.RotationTransposed(pitch, yaw, roll, m);
        for (var i = 0; i < 3; i++)
            for (var j = 0; j < 3; j++)
            {
                var dot = m[i * 3] * m[j * 3] + m[i * 3 + 1] * m[j * 3 + 1] + m[i * 3 + 2] * m[j * 3 + 2];
                Assert.Equal(i == j ? 1f : 0f, dot, 5);
            }
        var det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
        Assert.Equal(1f, det, 5);
    }

    /// <summary>Rotates one canonical point (row vector times R-transposed = R times the column).</summary>
    private static Vector3 Rotate(Vector3 p, float pitch, float yaw, float roll)
    {
        var kp = new float[63];
        kp[0] = p.X; kp[1] = p.Y; kp[2] = p.Z;
        var dst = new float[63];
        KeypointMath.Transform(kp, new HeadPose(pitch, yaw, roll, Vector3.Zero, 1), dst);
        return new Vector3(dst[0], dst[1], dst[2]);
    }

    private static void Near(Vector3 expected, Vector3 actual)
    {
        Assert.Equal(expected.X, actual.X, 5);
        Assert.Equal(expected.Y, actual.Y, 5);
        Assert.Equal(expected.Z, actual.Z, 5);
    }

    [Fact]
    public void KnownAnglesRotateAboutTheRightAxesInTheOrderRzRyRx()
    {
        Near(new Vector3(0, 0, 1), Rotate(Vector3.UnitY, 90, 0, 0));   // pitch: about x
        Near(new Vector3(0, 0, -1), Rotate(Vector3.UnitX, 0, 90, 0));  // yaw: about y
        Near(new Vector3(0, 1, 0), Rotate(Vector3.UnitX, 0, 0, 90));   // roll: about z
        // Rx first, then Ry: y -> z (pitch) -> x (yaw). The other order would give (0,0,1) -> ...
        Near(new Vector3(1, 0, 0), Rotate(Vector3.UnitY, 90, 90, 0));
        // Then Rz: x -> y.
        Near(new Vector3(0, 1, 0), Rotate(Vector3.UnitY, 90, 90, 90));
    }

    [Fact]
    public void TransformScalesThenShiftsXAndYOnly()
    {
        var kp = new float[63];
        for (var i = 0; i < 63; i++) kp[i] = (i % 7 - 3) * 0.1f;
        var dst = new float[63];
        KeypointMath.Transform(kp, new HeadPose(0, 0, 0, new Vector3(0.2f, -0.1f, 5f), 1.5f), dst);
        for (var k = 0; k < 21; k++)
        {
            Assert.Equal(kp[3 * k] * 1.5f + 0.2f, dst[3 * k], 5);
            Assert.Equal(kp[3 * k + 1] * 1.5f - 0.1f, dst[3 * k + 1], 5);
            Assert.Equal(kp[3 * k + 2] * 1.5f, dst[3 * k + 2], 5); // z is never shifted
        }
    }

    [Fact]
    public void TransferTakesTheFramesAnglesHalfTheTranslationDeltaAndThePortraitsScale()
    {
        var portrait = new HeadPose(1, 2, 3, new Vector3(0.1f, 0.2f, 0.3f), 1.7f);
        var first = new HeadPose(10, 20, 30, new Vector3(0.5f, 0.5f, 0.5f), 0.9f);
        var frame = new HeadPose(-5, 15, 25, new Vector3(0.9f, 0.1f, 0.7f), 1.1f);
        var t = KeypointMath.Transfer(frame, first, portrait);
        Assert.Equal((-5f, 15f, 25f), (t.Pitch, t.Yaw, t.Roll));
        Assert.Equal(1.7f, t.Scale);
        Assert.Equal(0.9f - 0.5f, (t.T.X - 0.1f) * 2, 5);
        Assert.Equal(0.1f - 0.5f, (t.T.Y - 0.2f) * 2, 5);
        Assert.Equal(portrait.T, KeypointMath.Transfer(first, first, portrait).T); // the anchor frame sits at the portrait's place
    }

    [Fact]
    public void WarmUpStartsAtThePortraitAndStopsOneStepShortOfTheFirstFrame()
    {
        var portrait = new HeadPose(-12, 6, 0, new Vector3(0.1f, 0.2f, 0), 1.3f);
        var first = new HeadPose(24, -30, 12, new Vector3(0.7f, -0.4f, 0), 0.8f);
        var w0 = KeypointMath.WarmUp(portrait, first, 0);
        Assert.Equal(portrait, w0);
        var w11 = KeypointMath.WarmUp(portrait, first, 11);
        var w = (float)(Half)(11 / 12f);
        Assert.Equal((1 - w) * -12 + w * 24, w11.Pitch, 4);
        Assert.Equal((1 - w) * 6 + w * -30, w11.Yaw, 4);
        Assert.Equal((1 - w) * 0 + w * 12, w11.Roll, 4);
        Assert.NotEqual(first.Pitch, w11.Pitch);
        for (var k = 0; k < 12; k++)
        {
            var p = KeypointMath.WarmUp(portrait, first, k);
            Assert.Equal(portrait.T, p.T);
            Assert.Equal(portrait.Scale, p.Scale);
            if (k > 0) Assert.True(p.Pitch > KeypointMath.WarmUp(portrait, first, k - 1).Pitch);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => KeypointMath.WarmUpWeight(12));
    }
}
