using System.Text.Json;
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
    /// <summary>Base resolution of the frozen chunk run (provenance.json, "chunkRun").</summary>
    private static int ChunkRunSize()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(OfficialReference.Folder, "provenance.json")));
        return doc.RootElement.GetProperty("chunkRun").GetProperty("baseResolution").GetInt32();
    }

    [Fact]
    public void KeypointMapsOfTheRealRunEqualTheOfficialFp16Drawing()
    {
        // Every map the official runner drew in 12 calls (12 warm-up poses, then 4 per call), from the real
        // detector's keypoints. The fp16 run rounds v*0.5+0.5 and *size to fp16 before truncating; drawing
        // the same fp16 keypoints in fp32 moves a disc by a pixel on 41 of these 60 maps.
        var size = ChunkRunSize();
        var kp = OfficialReference.Load("chunk_map_kps");
        var index = OfficialReference.Load("chunk_map_index");
        var level = OfficialReference.Load("chunk_map_level");
        var frames = kp.Shape[0];
        Assert.Equal(12 + 4 * 12, frames);
        int plane = size * size, image = 3 * plane;
        var official = new float[frames * image];
        for (var i = 0; i < index.Data.Length; i++) official[(int)index.Data[i]] = level.Data[i] / 255f;
        var ours = new float[image];
        var wrong = new List<int>();
        for (var f = 0; f < frames; f++)
        {
            KeypointRaster.DrawMap(OfficialReference.Row(kp, f), size, ours, 1, 0);
            if (OfficialReference.MaxAbs(ours, official.AsSpan(f * image, image)) != 0) wrong.Add(f);
        }
        Assert.True(wrong.Count == 0, $"maps differ from the official drawing at frames {string.Join(",", wrong)}");
    }

    [Fact]
    public void FaceBoxesOfTheRealRunEqualTheOfficialFp16Boxes()
    {
        // The portrait's box (call 0) and every frame's own box of the 12 calls; drawn in fp32 instead, 13 of
        // these 49 boxes move by a pixel.
        var size = ChunkRunSize();
        var kp = OfficialReference.Load("chunk_box_kps");
        var boxes = OfficialReference.Load("chunk_boxes");
        Assert.Equal(1 + 4 * 12, kp.Shape[0]);
        var wrong = new List<string>();
        for (var b = 0; b < kp.Shape[0]; b++)
        {
            var o = OfficialReference.Row(boxes, b);
            var want = new FaceBox((int)o[0], (int)o[1], (int)o[2], (int)o[3]);
            var got = KeypointRaster.Box(OfficialReference.Row(kp, b), size);
            if (got != want) wrong.Add($"{b}: {got} vs {want}");
        }
        Assert.True(wrong.Count == 0, string.Join("; ", wrong));
    }
}
