using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.Inference.Diffusion;
using PersonaLive.Inference.Diffusion.ModelSet;
using PersonaLive.Inference.Diffusion.Runtime;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Tests.Diffusion.Parity;

/// <summary>
/// Runs our whole <c>personalive</c> engine (fused step included) chunk by chunk on the portrait and driving
/// frames that tools/parity/run_chunks.py fed to the official PyTorch online runner, with the same seeded
/// noise, and compares after every chunk: the four output frames, the carried latent window, the carried
/// pose features and motion states, the motion frame the keyframe bank looks at, and the bank's size and
/// keyframe updates. Needs the harness's work folder (<c>PERSONALIVE_PARITY_DIR</c>, set by
/// tools/parity/run.sh), so it skips everywhere else. Writes <c>results/chunks.json</c>.
/// </summary>
public sealed class OfficialChunkParityTests
{
    /// <summary>fp32 parity target: max |ours - official| / max |official| per quantity and chunk.</summary>
    private const double RelativeTarget = 1e-4;

    [Fact]
    public void OnlinePipelineMatchesTheOfficialRunnerChunkByChunk()
    {
        var dir = Environment.GetEnvironmentVariable("PERSONALIVE_PARITY_DIR");
        if (string.IsNullOrEmpty(dir)) Assert.Skip("PERSONALIVE_PARITY_DIR not set (tools/parity/run.sh sets it)");
        var summaryPath = Path.Combine(dir, "chunks.json");
        if (!File.Exists(summaryPath)) Assert.Skip("no chunks.json (tools/parity/run_chunks.py has not run)");
        using var summary = JsonDocument.Parse(File.ReadAllText(summaryPath));
        var root = summary.RootElement;
        var calls = root.GetProperty("calls").EnumerateArray().ToList();
        var manifestPath = Path.Combine(dir, "modelset", ModelSetManifest.FileName);
        using var sessions = PersonaLiveSessions.Load(manifestPath, new EngineOptions { ExecutionProvider = "cpu" }, NullLoggerFactory.Instance, intraOpThreads: 2);
        using var engine = new PersonaLiveEngine(sessions, root.GetProperty("seed").GetUInt64(), NullLogger<PersonaLiveEngine>.Instance, mirrorDrivingFrames: false);
        var size = root.GetProperty("size").GetInt32();
        Assert.Equal(size, sessions.Geometry.Resolution);
        engine.SetPortrait(new PreparedPortrait(Decode(Path.Combine(dir, "portrait.png")), size));

        var rows = new List<Dictionary<string, object>>();
        var failures = new List<string>();
        void Compare(int call, string what, float[] ours, string file, int frameAxis)
        {
            var official = Npy.Load(Path.Combine(dir, "chunks", $"c{call:D2}_{file}.npy"));
            Assert.Equal(official.Data.Length, ours.Length);
            var maxAbs = OfficialReference.MaxAbs(ours, official.Data);
            var scale = official.Data.Max(MathF.Abs);
            var rel = scale > 0 ? maxAbs / scale : maxAbs;
            rows.Add(new()
            {
                ["call"] = call, ["quantity"] = what, ["maxAbs"] = maxAbs, ["maxAbsOfficial"] = scale, ["relative"] = rel,
                ["nonFiniteOurs"] = ours.Count(v => !float.IsFinite(v)), ["nonFiniteOfficial"] = official.Data.Count(v => !float.IsFinite(v)),
                ["maxAbsPerFrame"] = PerFrame(ours, official.Data, official.Shape, frameAxis),
            });
            if (!(rel <= RelativeTarget)) failures.Add($"call {call} {what}: relative {rel:E2} (max abs {maxAbs:E2})");
        }

        var g = sessions.Geometry;
        foreach (var call in calls)
        {
            var c = call.GetProperty("call").GetInt32();
            var frames = Enumerable.Range(0, ModelGeometry.Chunk)
                .Select(i => new DrivingFrame(Decode(Path.Combine(dir, "frames", $"{4 * c + i:D3}.png")), (4 * c + i) * 62_500L)).ToList();
            var outputs = engine.Animate(frames);
            var video = engine.Fused.PredVideo.Data;
            Compare(c, "output frames (float)", video, "video", 0);
            Compare(c, "carried latents", FirstFrames(FusedStepRunner.ToHost(engine.Fused.LastOutput(0)), g.LatentChannels, ModelGeometry.Window, ModelGeometry.Carried, g.Latent * g.Latent), "latents", 2);
            Compare(c, "carried pose features", FusedStepRunner.ToHost(engine.Fused.LastOutput(1)), "pose", 2);
            Compare(c, "carried motion", FusedStepRunner.ToHost(engine.Fused.LastOutput(2)), "motion", 1);
            Compare(c, "motion_out", engine.Fused.MotionOut.Data, "motion_out", 1);
            CompareFirstCall(dir, c, engine, rows);
            var mapPixels = MapPixelsDiffering(engine.Fused.Pose.Data, Npy.Load(Path.Combine(dir, "chunks", $"c{c:D2}_maps.npy")), size);
            rows.Add(new() { ["call"] = c, ["quantity"] = "keypoint maps of the new frames (pixels differing)", ["maxAbs"] = mapPixels.Sum(), ["perFrame"] = mapPixels });
            if (mapPixels.Sum() > 0) failures.Add($"call {c}: keypoint maps differ on [{string.Join(", ", mapPixels)}] pixels");
            var kps = Npy.Load(Path.Combine(dir, "chunks", $"c{c:D2}_map_kps.npy"));
            var kpsNew = kps.Data.AsSpan(kps.Data.Length - engine.LastMapKeypoints.Length).ToArray();
            rows.Add(new()
            {
                ["call"] = c, ["quantity"] = "map keypoints (engine fp32 - official fp16), recorded only",
                ["maxAbs"] = OfficialReference.MaxAbs(engine.LastMapKeypoints, kpsNew),
                ["kp2y"] = Enumerable.Range(0, ModelGeometry.Chunk).Select(f => (double)engine.LastMapKeypoints[f * 63 + 7] - kpsNew[f * 63 + 7]).ToArray(),
                ["kp2yOfficial"] = Enumerable.Range(0, ModelGeometry.Chunk).Select(f => (double)kpsNew[f * 63 + 7]).ToArray(),
            });
            var officialVideo = Npy.Load(Path.Combine(dir, "chunks", $"c{c:D2}_video.npy")).Data;
            var levels = ByteLevels(outputs, officialVideo, size);
            rows.Add(new() { ["call"] = c, ["quantity"] = "output frames (8-bit levels)", ["maxAbs"] = levels });
            if (levels > 1) failures.Add($"call {c}: output bytes differ by {levels} levels");
            var bank = call.GetProperty("bank").GetInt32();
            var keyframes = call.GetProperty("keyframes").GetInt32();
            rows.Add(new() { ["call"] = c, ["quantity"] = "keyframe bank", ["bank"] = engine.BankCount, ["bankOfficial"] = bank, ["keyframes"] = engine.KeyframeUpdates, ["keyframesOfficial"] = keyframes });
            if (engine.BankCount != bank || engine.KeyframeUpdates != keyframes)
                failures.Add($"call {c}: bank {engine.BankCount}/{engine.KeyframeUpdates} keyframes, official {bank}/{keyframes}");
            foreach (var f in frames) f.Image.Dispose();
            foreach (var o in outputs) o.Image.Dispose();
        }
        Directory.CreateDirectory(Path.Combine(dir, "results"));
        File.WriteAllText(Path.Combine(dir, "results", "chunks.json"), JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        Assert.NotEmpty(calls);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// Recorded only, when tools/parity/dump_first_call.py's <c>first/</c> folder is there: the window the
    /// fused step read on call 0 (the prefill) against the latents the official denoising UNet got, and the
    /// output latent of window frame 0 (<c>latent_first</c>) against the first latent the official VAE
    /// decoded, so a difference in the output frames can be placed before or after the decode.
    /// </summary>
    private static void CompareFirstCall(string dir, int call, PersonaLiveEngine engine, List<Dictionary<string, object>> rows)
    {
        var fused = engine.Fused;
        var first = Path.Combine(dir, "first");
        var decodedPath = Path.Combine(first, $"c{call:D2}_decoded_in.npy");
        if (!File.Exists(decodedPath)) return;
        void Row(string what, float[] ours, Npy official, int frameAxis, int frames)
        {
            var theirs = official.Data.AsSpan(0, ours.Length).ToArray();
            var shape = (int[])official.Shape.Clone();
            shape[frameAxis] = frames;
            rows.Add(new()
            {
                ["call"] = call, ["quantity"] = what + ", recorded only", ["maxAbs"] = OfficialReference.MaxAbs(ours, theirs),
                ["maxAbsOfficial"] = theirs.Max(MathF.Abs), ["relative"] = OfficialReference.MaxAbs(ours, theirs) / theirs.Max(MathF.Abs),
                ["maxAbsPerFrame"] = PerFrame(ours, theirs, shape, frameAxis),
                ["maxAbsOfficialPerFrame"] = PerFrame(new float[theirs.Length], theirs, shape, frameAxis),
            });
        }
        if (call == 0)
        {
            var refLatents = Path.Combine(first, "ref_image_latents.npy");
            if (File.Exists(refLatents)) Row("portrait latents", engine.ReferenceLatents!, Npy.Load(refLatents), 0, 1);
            Directory.CreateDirectory(Path.Combine(dir, "results"));
            File.WriteAllBytes(Path.Combine(dir, "results", "engine_reference_latents.f32"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(engine.ReferenceLatents.AsSpan()).ToArray());
        }
        if (call == 0) Row("window input (prefill)", fused.PrefillSample.Data, Npy.Load(Path.Combine(first, "c00_window_in.npy")), 2, ModelGeometry.Window);
        var latent = fused.LatentFirst.Data.Select(v => v / 0.18215f).ToArray();
        Row("output latent of frame 0 / 0.18215", latent, Npy.Load(decodedPath), 0, 1);
        File.WriteAllBytes(Path.Combine(dir, "results", $"engine_c{call:D2}_latent_first.f32"), System.Runtime.InteropServices.MemoryMarshal.AsBytes(latent.AsSpan()).ToArray());
    }

    private static RgbaImage Decode(string path) =>
        ImageCodec.Decode(File.ReadAllBytes(path)) ?? throw new InvalidDataException($"cannot decode {path}");

    /// <summary>Max |a - b| for each index along <paramref name="axis"/> of <paramref name="shape"/> (the frame
    /// axis), so a difference can be told apart by window frame (warm-up, carried or new).</summary>
    private static double[] PerFrame(float[] a, float[] b, int[] shape, int axis)
    {
        var inner = shape.Skip(axis + 1).Aggregate(1, (x, y) => x * y);
        var r = new double[shape[axis]];
        for (var i = 0; i < a.Length; i++)
        {
            var f = i / inner % shape[axis];
            r[f] = Math.Max(r[f], Math.Abs((double)a[i] - b[i]));
        }
        return r;
    }

    /// <summary>Pixels (any channel) in which each of the chunk's new keypoint maps, as the engine drew them into
    /// the fused step's (1, 3, 4, size, size) pose input, differs from the last four maps the official runner
    /// drew in that call (saved as (n, 3, size, size)).</summary>
    private static int[] MapPixelsDiffering(float[] ours, Npy official, int size)
    {
        var plane = size * size;
        var n = official.Shape[0];
        var r = new int[ModelGeometry.Chunk];
        for (var f = 0; f < ModelGeometry.Chunk; f++)
            for (var p = 0; p < plane; p++)
                for (var ch = 0; ch < 3; ch++)
                    if (Math.Abs(ours[(ch * ModelGeometry.Chunk + f) * plane + p] - official.Data[((n - ModelGeometry.Chunk + f) * 3 + ch) * plane + p]) > 1e-6f)
                    {
                        r[f]++;
                        break;
                    }
        return r;
    }

    /// <summary>Frames 0..keep-1 of a (1, C, F, H, W) tensor, as (1, C, keep, H, W).</summary>
    private static float[] FirstFrames(float[] x, int channels, int frames, int keep, int plane)
    {
        var r = new float[channels * keep * plane];
        for (var ch = 0; ch < channels; ch++)
            x.AsSpan(ch * frames * plane, keep * plane).CopyTo(r.AsSpan(ch * keep * plane));
        return r;
    }

    /// <summary>Largest difference in 8-bit levels between the engine's output frames and the official float
    /// frames converted as the official runner converts them (x*255 truncated); 1 level is a float output
    /// straddling a level boundary.</summary>
    private static int ByteLevels(IReadOnlyList<AnimatedFrame> frames, float[] video, int size)
    {
        var worst = 0;
        for (var i = 0; i < frames.Count; i++)
        {
            var px = frames[i].Image.Pixels;
            for (var p = 0; p < size * size; p++)
                for (var ch = 0; ch < 3; ch++)
                    worst = Math.Max(worst, Math.Abs(px[p * 4 + ch] - (int)(video[(i * size * size + p) * 3 + ch] * 255f)));
        }
        return worst;
    }
}
