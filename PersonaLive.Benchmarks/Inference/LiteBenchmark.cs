using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;
using PersonaLive.Inference.Lite;

namespace PersonaLive.Inference.Benchmarks;

/// <summary>
/// <c>./persona.sh bench lite</c>: one lite session at 512x512 driven by a synthetic moving-face clip
/// (the astronaut placed in a 640x480 camera frame, moved by known roll, translation and scale waves).
/// Keys: fps, p95_ms (per-frame latency of <c>Animate</c>), and mean per-frame detect_ms, landmarks_ms,
/// retarget_ms, render_ms. Models are provisioned into the default model directory if missing.
/// </summary>
public static class LiteBenchmark
{
    public const int ClipFrames = 90;

    public static Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(int? seconds, TextWriter log, CancellationToken ct) =>
        RunAsync(seconds, log, new EngineOptions(), ct);

    /// <summary>As <see cref="RunAsync(int?, TextWriter, CancellationToken)"/> with explicit engine options (model directory).</summary>
    public static async Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(int? seconds, TextWriter log, EngineOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(options);
        var duration = TimeSpan.FromSeconds(seconds ?? 10);
        using var factory = new LiteEngineFactory(options, NullLoggerFactory.Instance);
        await factory.WarmUpAsync(new Progress<EngineStatus>(s => log.WriteLine($"[{s.State}] {s.Message}")), ct).ConfigureAwait(false);

        var path = await SampleFace.AstronautAsync(null, ct).ConfigureAwait(false);
        var bytes = await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
        var prepared = await factory.PreparePortraitAsync(bytes, ct).ConfigureAwait(false);
        if (!prepared.Succeeded) throw new InvalidOperationException($"Benchmark portrait rejected: {prepared.Error}");
        using var face = ImageCodec.Decode(bytes) ?? throw new InvalidDataException("astronaut.png did not decode");
        var clip = BuildClip(face);
        try
        {
            using var engine = factory.CreateLiteEngine();
            engine.SetPortrait(prepared.Portrait!);
            long time = 0;
            for (var i = 0; i < 30; i++) Step(engine, clip[i % clip.Length], ref time); // warm-up (JIT, ORT arenas)

            var latencies = new List<double>(4096);
            double detect = 0, landmarks = 0, retarget = 0, render = 0;
            var sw = Stopwatch.StartNew();
            var n = 0;
            while (sw.Elapsed < duration && !ct.IsCancellationRequested)
            {
                var t = Stopwatch.GetTimestamp();
                Step(engine, clip[n % clip.Length], ref time);
                latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                var tm = engine.LastTimings;
                detect += tm.DetectMs; landmarks += tm.LandmarksMs; retarget += tm.RetargetMs; render += tm.RenderMs;
                n++;
            }
            var elapsed = sw.Elapsed.TotalSeconds;
            latencies.Sort();
            var p95 = latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(0.95 * latencies.Count) - 1)];
            log.WriteLine($"lite: {n} frames in {elapsed:F1} s, face tracked on the last frame: {engine.LastFrameHadFace}");
            return
            [
                new("fps", Math.Round(n / elapsed, 1)),
                new("p95_ms", Math.Round(p95, 2)),
                new("detect_ms", Math.Round(detect / n, 3)),
                new("landmarks_ms", Math.Round(landmarks / n, 2)),
                new("retarget_ms", Math.Round(retarget / n, 3)),
                new("render_ms", Math.Round(render / n, 2)),
            ];
        }
        finally
        {
            foreach (var f in clip) f.Dispose();
        }
    }

    private static void Step(LiteEngine engine, RgbaImage frame, ref long timeUs)
    {
        timeUs += 33_333;
        foreach (var output in engine.Animate([new DrivingFrame(frame, timeUs)])) output.Image.Dispose();
    }

    /// <summary>640x480 frames: roll +-12 degrees, shift +-40/+-20 px, scale 0.9..1.1, over 3 seconds.</summary>
    public static RgbaImage[] BuildClip(RgbaImage face)
    {
        var frames = new RgbaImage[ClipFrames];
        for (var i = 0; i < ClipFrames; i++)
        {
            var phase = 2 * MathF.PI * i / ClipFrames;
            var roll = 12 * MathF.Sin(phase) * MathF.PI / 180;
            var scale = 1 + 0.1f * MathF.Sin(2 * phase);
            float dx = 40 * MathF.Sin(phase + 1), dy = 20 * MathF.Cos(phase);
            float c = MathF.Cos(roll) * scale, s = MathF.Sin(roll) * scale;
            // camera pixel = R*s*(face pixel - face centre) + frame centre + shift
            float fcx = face.Width / 2f, fcy = face.Height / 2f, ccx = 320 + dx, ccy = 240 + dy;
            var forward = new Affine2(c, -s, ccx - c * fcx + s * fcy, s, c, ccy - s * fcx - c * fcy);
            frames[i] = new RgbaImage(640, 480);
            ImageSampler.ToRgba(face, forward.Inverse(), frames[i], clampToEdge: true);
        }
        return frames;
    }
}
