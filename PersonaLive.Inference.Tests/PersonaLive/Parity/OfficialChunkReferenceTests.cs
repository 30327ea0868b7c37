using PersonaLive.Inference.Diffusion;

namespace PersonaLive.Inference.Tests.Diffusion.Parity;

/// <summary>
/// The keyframe rule and the motion warm-up against what the official PyTorch online runner did in a real
/// 12-call run (tools/parity/run_chunks.py on random weights, frozen by tools/parity/freeze_chunks.py;
/// provenance.json, "chunkRun"). Unlike the scripted sequence of <see cref="OfficialReferenceTests"/>, the
/// motion states here are the official motion encoder's, in the order the official gate saw them, and the
/// run crosses the threshold once (call 9), so a change in the gate's count, its distance or its
/// threshold shows up without PyTorch.
/// </summary>
public sealed class OfficialChunkReferenceTests
{
    [Fact]
    public void KeyframeBankFollowsTheOfficialRunCallByCall()
    {
        var motion = OfficialReference.Load("chunk_motion_out");
        var official = OfficialReference.Load("chunk_bank");
        var calls = motion.Shape[0];
        Assert.True(calls >= 12, $"{calls} calls");
        var values = motion.Data.Length / calls;
        var bank = new KeyframeBank(values);
        // Call 0 reads the bank's first entry, the portrait's motion state.
        bank.Reset(OfficialReference.Row(motion, 0));
        var updates = 0;
        for (var c = 0; c < calls; c++)
        {
            var update = bank.Observe(c, OfficialReference.Row(motion, c));
            updates += update ? 1 : 0;
            var size = (int)official.Data[c * 3];
            var keyframes = (int)official.Data[c * 3 + 1];
            var distance = official.Data[c * 3 + 2];
            Assert.Equal(size, bank.Count);
            Assert.Equal(keyframes, bank.Updates);
            Assert.Equal(float.IsNaN(distance), float.IsNaN(bank.LastDistance));
            if (!float.IsNaN(distance))
                Assert.True(Math.Abs(bank.LastDistance - distance) <= 1e-4 * distance,
                    $"call {c}: distance {bank.LastDistance} vs official {distance}");
        }
        Assert.True(updates > 0, "the frozen run should cross the threshold at least once");
    }

    [Fact]
    public void CarriedMotionAfterTheFirstCallIsTheOfficialWarmUp()
    {
        // After call 0 the official runner carries warm-up states 4..11 (portrait motion eased towards the
        // first frame's, fp16 linspace weights) and then the first chunk's 4 own motion states.
        var warm = OfficialReference.Load("chunk_warmup");
        var portrait = OfficialReference.Row(OfficialReference.Load("chunk_motion_out"), 0);
        var values = portrait.Length;
        Assert.Equal(12 * values, warm.Data.Length);
        var first = OfficialReference.Row(warm, 8);
        for (var k = 4; k < 12; k++)
        {
            var w = KeypointMath.WarmUpWeight(k);
            var ours = new float[values];
            for (var i = 0; i < values; i++) ours[i] = (1 - w) * portrait[i] + w * first[i];
            var row = OfficialReference.Row(warm, k - 4);
            Assert.True(OfficialReference.MaxAbs(ours, row) <= 1e-6 * (1 + row.Max(MathF.Abs)), $"warm-up state {k}");
        }
    }
}
