using System.Numerics;
using PersonaLive.Inference.Diffusion;

namespace PersonaLive.Inference.Tests.Diffusion.Parity;

/// <summary>
/// The port's schedule, keypoint math, keypoint maps, face boxes, crops and keyframe rule against arrays
/// the official PersonaLive code produced (tools/parity/freeze_reference.py; provenance.json beside them).
/// </summary>
public sealed class OfficialReferenceTests
{
    /// <summary>fp32 official vs fp32 port on the same fp16 detector outputs.</summary>
    private const double KeypointTolerance = 1e-5;

    /// <summary>Warm-up weights are fp16-rounded on our side (the online run is fp16): up to 2^-12 of an angle step.</summary>
    private const double WarmUpTolerance = 2e-4;

    private static readonly int[] WindowTimesteps = [0, 0, 0, 0, 333, 333, 333, 333, 666, 666, 666, 666, 999, 999, 999, 999];

    [Fact]
    public void AlphasCumprodMatchTheOfficialScheduler()
    {
        var official = OfficialReference.Load("ddim_alphas_cumprod");
        Assert.Equal(1000, official.Data.Length);
        // The official table is an fp32 cumulative product, ours a double one: they part by < 1e-6 relative.
        for (var t = 0; t < 1000; t++)
            Assert.True(Math.Abs(DdimSchedule.Default.AlphaCumprod(t) - official.Data[t]) <= 1e-6 * official.Data[t], $"t={t}");
    }

    [Fact]
    public void DdimStepAndAddNoiseMatchTheOfficialScheduler()
    {
        var x = OfficialReference.Load("ddim_step_sample");
        var eps = OfficialReference.Load("ddim_step_eps");
        var prev = OfficialReference.Load("ddim_step_prev");
        var x0 = OfficialReference.Load("ddim_step_x0");
        var noisy = OfficialReference.Load("ddim_add_noise");
        var n = x.Data.Length / 16;
        var p = new float[n];
        var o = new float[n];
        var a = new float[n];
        for (var f = 0; f < 16; f++)
        {
            var t = WindowTimesteps[f];
            DdimSchedule.Default.Step(OfficialReference.Row(x, f), OfficialReference.Row(eps, f), t, p, o);
            Assert.True(OfficialReference.MaxAbs(p, OfficialReference.Row(prev, f)) < 2e-5, $"prev, frame {f}");
            Assert.True(OfficialReference.MaxAbs(o, OfficialReference.Row(x0, f)) < 2e-4, $"x0, frame {f}"); // x0 divides by sqrt(a_999) = 0.015
            DdimSchedule.Default.AddNoise(OfficialReference.Row(x, f), OfficialReference.Row(eps, f), t, a, halfPrecision: false);
            Assert.True(OfficialReference.MaxAbs(a, OfficialReference.Row(noisy, f)) < 2e-6, $"add_noise, frame {f}");
        }
    }

    private static HeadPose Detected(int image)
    {
        float Angle(string head) => KeypointMath.HeadPoseDegrees(OfficialReference.Row(OfficialReference.Load("det_" + head), image));
        var t = OfficialReference.Row(OfficialReference.Load("det_t"), image);
        return new HeadPose(Angle("pitch"), Angle("yaw"), Angle("roll"), new Vector3(t[0], t[1], t[2]),
            OfficialReference.Row(OfficialReference.Load("det_scale"), image)[0]);
    }

    [Fact]
    public void FirstChunkWarmUpAndTransferredPosesMatchTheOfficialKeypoints()
    {
        var official = OfficialReference.Load("kp_first_chunk");
        var kpPortrait = OfficialReference.Row(OfficialReference.Load("det_kp"), 0);
        HeadPose portrait = Detected(0), first = Detected(1);
        var got = new float[63];
        var errors = new double[16];
        for (var k = 0; k < 16; k++)
        {
            var pose = k < 12 ? KeypointMath.WarmUp(portrait, first, k) : KeypointMath.Transfer(Detected(k - 11), first, portrait);
            KeypointMath.Transform(kpPortrait, pose, got);
            errors[k] = OfficialReference.MaxAbs(got, OfficialReference.Row(official, k));
        }
        // Warm-up poses use fp16-rounded weights k/12 (as the fp16 online run); the reference is fp32.
        Assert.True(errors.Take(12).Max() < WarmUpTolerance && errors.Skip(12).Max() < KeypointTolerance, string.Join(" ", errors.Select(e => e.ToString("E1"))));
    }

    [Fact]
    public void LaterChunkPosesAndDrivingKeypointsMatchTheOfficialKeypoints()
    {
        var next = OfficialReference.Load("kp_next_chunk");
        var driving = OfficialReference.Load("kp_next_driving");
        var kp = OfficialReference.Load("det_kp");
        HeadPose portrait = Detected(0), first = Detected(1);
        var got = new float[63];
        for (var i = 0; i < 4; i++)
        {
            var frame = Detected(5 + i);
            KeypointMath.Transform(OfficialReference.Row(kp, 0), KeypointMath.Transfer(frame, first, portrait), got);
            Assert.True(OfficialReference.MaxAbs(got, OfficialReference.Row(next, i)) < KeypointTolerance, $"transferred {i}: {OfficialReference.MaxAbs(got, OfficialReference.Row(next, i))}");
            KeypointMath.Transform(OfficialReference.Row(kp, 5 + i), frame, got);
            Assert.True(OfficialReference.MaxAbs(got, OfficialReference.Row(driving, i)) < KeypointTolerance, $"driving {i}: {OfficialReference.MaxAbs(got, OfficialReference.Row(driving, i))}");
        }
    }

    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    public void KeypointMapsEqualTheOfficialDrawing(int size)
    {
        var kp = OfficialReference.Load("kp_next_chunk");
        var index = OfficialReference.Load($"map{size}_index");
        var value = OfficialReference.Load($"map{size}_value");
        var ours = new float[3 * 4 * size * size];
        for (var f = 0; f < 4; f++) KeypointRaster.DrawMap(OfficialReference.Row(kp, f), size, ours, 4, f);
        // Official layout (frame, channel, y, x); ours (channel, frame, y, x).
        var official = new float[ours.Length];
        var plane = size * size;
        for (var i = 0; i < index.Data.Length; i++)
        {
            var flat = (long)index.Data[i];
            int f = (int)(flat / (3L * plane)), c = (int)(flat / plane % 3);
            official[(c * 4 + f) * plane + (int)(flat % plane)] = value.Data[i];
        }
        Assert.True(index.Data.Length > 4 * 7 * 20, "the official maps hold the discs");
        Assert.Equal(0, OfficialReference.MaxAbs(ours, official));
    }

    [Fact]
    public void FaceBoxesAndCropsMatchTheOfficialOnes()
    {
        var kp = OfficialReference.Load("kp_next_driving");
        var boxes = OfficialReference.Load("box_next_driving");
        var crops = OfficialReference.Load("crop_stride4");
        var image = OfficialReference.SyntheticImage();
        var crop = new float[3 * 224 * 224];
        for (var i = 0; i < 4; i++)
        {
            var box = KeypointRaster.Box(OfficialReference.Row(kp, i), 512);
            var o = OfficialReference.Row(boxes, i);
            Assert.Equal(new FaceBox((int)o[0], (int)o[1], (int)o[2], (int)o[3]), box);
            if (i >= 2) continue;
            Resampling.CropBilinear(image, 512, box, crop, 224, 1, 0);
            var want = OfficialReference.Row(crops, i);
            var sub = new float[want.Length];
            for (int c = 0, k = 0; c < 3; c++)
                for (var y = 0; y < 224; y += 4)
                    for (var x = 0; x < 224; x += 4) sub[k++] = crop[(c * 224 + y) * 224 + x];
            Assert.True(OfficialReference.MaxAbs(sub, want) < 1e-5, $"crop {i}: {OfficialReference.MaxAbs(sub, want)}");
        }
    }

    [Fact]
    public void KeyframeDecisionsAndDistancesMatchTheOfficialRule()
    {
        var motion = OfficialReference.Load("bank_motion");
        var decision = OfficialReference.Load("bank_decision");
        var distance = OfficialReference.Load("bank_distance");
        var bank = new KeyframeBank(512);
        bank.Reset(OfficialReference.Load("bank_portrait").Data);
        Assert.Contains(1f, decision.Data);
        Assert.Contains(0f, decision.Data.Skip(9));
        for (var count = 0; count < decision.Data.Length; count++)
        {
            var update = bank.Observe(count, OfficialReference.Row(motion, count));
            Assert.Equal(decision.Data[count] == 1, update);
            if (float.IsNaN(distance.Data[count]) || bank.Updates >= KeyframeBank.MaxUpdates && !update) continue;
            Assert.True(Math.Abs(bank.LastDistance - distance.Data[count]) <= 1e-4 * distance.Data[count], $"call {count}");
        }
    }
}
