using PersonaLive.Web.Live.Benchmarks;
using PersonaLive.Web.Live.Portraits;
using SkiaSharp;

namespace PersonaLive.Web.Tests.EndToEnd;

/// <summary>
/// Proves the glass-to-glass measurement (live.js: rVFC display time minus the capture time of the
/// driving frame) in real Chromium over the real WebRTC stack: the echo engine run without and with a
/// pipeline delay of 8 frames (Live:EchoEngineDelayFrames; each output echoes the camera frame 8 frames
/// back, with that frame's capture time, as the personalive engine's window does with 12) must measure
/// medians that differ by 8 camera frames, 320 ms at 25 fps. Both runs stream at the camera's 25 fps, one
/// output per input, and nothing but the delay differs between them.
/// Runs alone (no parallel tests): a measurement must not share the 2 cores with the lite engine test.
/// </summary>
[Collection(nameof(LatencyMeasurementTests))]
public sealed class LatencyMeasurementTests
{
    private const int DelayFrames = 8;
    private const int CameraFps = 25;
    private const int AddedDelayMs = DelayFrames * 1000 / CameraFps;

    /// <summary>
    /// Tolerance of the difference of medians: ±60 ms. The added delay is exactly 8 camera frame intervals
    /// when the engine keeps up (no frame dropped at the gate); the rest is scheduling noise on a shared
    /// 2-core box and the browser's jitter buffer.
    /// </summary>
    private const double ToleranceMs = 60;

    [Fact]
    public async Task Measured_latency_grows_by_exactly_the_delay_the_echo_engine_adds()
    {
        var ct = TestContext.Current.CancellationToken;
        var y4m = Path.Combine(Path.GetTempPath(), $"echo-camera-{Guid.NewGuid():N}.y4m");
        var preset = new PresetPortraits().Find("ada")!;
        Y4mVideo.Write(y4m, 320, 240, CameraFps, Y4mVideo.MovingFace(preset.Png, 320, 240, 50, new SKColor(120, 130, 140)));
        try
        {
            var (baseline, _) = await MedianAsync(y4m, 0, samples: 60, ct);
            var (delayed, fpsIn) = await MedianAsync(y4m, DelayFrames, samples: 60, ct);
            var measured = delayed - baseline;
            // The delay is 8 frames of the camera as the server received it: 320 ms at 25 fps, more when a
            // loaded machine makes Chromium's fake camera deliver fewer frames.
            var expected = DelayFrames * 1000.0 / Math.Min(CameraFps, fpsIn);
            var line = $"echo engine: median g2g {baseline:0} ms without delay, {delayed:0} ms with {DelayFrames} frames: difference {measured:0} ms (expected {expected:0} ± {ToleranceMs} at {fpsIn:0.0} fps in; {AddedDelayMs} at {CameraFps})";
            TestContext.Current.TestOutputHelper?.WriteLine(line);
            Console.WriteLine(line);
            Assert.InRange(measured, expected - ToleranceMs, expected + ToleranceMs);
        }
        finally
        {
            File.Delete(y4m);
        }
    }

    private static async Task<(double MedianMs, double FpsIn)> MedianAsync(string y4m, int delayFrames, int samples, CancellationToken ct)
    {
        await using var host = await RealAppHost.StartAsync(y4m, new Dictionary<string, string>
        {
            ["Live:EchoEngineDelayMs"] = "0",
            ["Live:EchoEngineDelayFrames"] = delayFrames.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, ct);
        await host.OpenAsync("/?autostart=ada");
        const int warmUp = 8; // the first frames include connection set-up and the jitter buffer settling
        var until = DateTime.UtcNow.AddSeconds(90);
        while (host.Latencies.Count < warmUp + samples)
        {
            if (DateTime.UtcNow > until) Assert.Fail($"only {host.Latencies.Count} latency samples at {delayFrames} frames delay");
            await Task.Delay(200, ct);
        }
        var sorted = host.Latencies.Skip(warmUp).Take(samples).Order().ToArray();
        var fpsIn = host.Sessions.Find(host.Sessions.FindAllIds().Single())!.GetStats().FpsIn;
        return (sorted[sorted.Length / 2], fpsIn);
    }
}

/// <summary>Timing measurements run while no other test loads the CPU.</summary>
[CollectionDefinition(nameof(LatencyMeasurementTests), DisableParallelization = true)]
public sealed class LatencyMeasurementCollection;
