using PersonaLive.Media;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.Inference.Diffusion;
using PersonaLive.Inference.Diffusion.Tiny;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;
using PersonaLive.Web.Hosting;
using PersonaLive.Web.Live.Imaging;
using PersonaLive.Web.Live.Pipeline;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.Web.Tests.Fakes;

namespace PersonaLive.Web.Tests.Live;

/// <summary>
/// A live session on the real <c>personalive</c> engine (tiny synthetic model set, CPU): its 12-frame window
/// shows in the measured latency. Outputs carry the capture times of the camera frames 12 back, the warm-up
/// frames are not sent, and the server latency (driving frame's arrival to its output's send) is at least
/// 12 camera intervals.
/// </summary>
public sealed class PipelineDelayLatencyTests : IAsyncDisposable
{
    private const int Frames = 48;
    private const long CaptureStepUs = 40_000; // a 25 fps camera
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(40);
    private readonly string _models = Directory.CreateTempSubdirectory("personalive-tiny-web-").FullName;
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [Fact]
    public async Task Tiny_personalive_session_measures_its_twelve_frame_pipeline_delay()
    {
        var ct = TestContext.Current.CancellationToken;
        TinyModelSet.Write(_models);
        using var personalive = new PersonaLiveEngineFactory(new EngineOptions { ModelDirectory = _models, ExecutionProvider = "cpu" }, NullLoggerFactory.Instance);
        await personalive.WarmUpAsync(null, ct);
        Assert.Equal(EngineState.Ready, personalive.Status.State);
        var peers = new FakeMediaPeerFactory();
        var engines = new FakeEngineFactory("personalive", personalive.Status) { CreateEngineWith = personalive.CreateEngine };
        await using var manager = TestSessionManagers.Create(engines, peers, _meters.GetRequiredService<IMeterFactory>(),
            new LimitsOptions { MaxSessions = 1, IdleTimeoutSeconds = 30 });
        var (session, _) = manager.Start(manager.Admission.TryEnter()!, new PreparedPortrait(new RgbaImage(512, 512), 512), "offer");
        var host = peers.Created.Single();

        // Frame i is delivered at start + i x 40 ms with capture time (i + 1) x 40 ms.
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Frames; i++)
        {
            var wait = Interval * i - clock.Elapsed;
            if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
            using var frame = I420Frame.Create(80, 60);
            frame.Y.Fill((byte)(40 + i * 4)); frame.U.Fill(128); frame.V.Fill(128);
            host.Deliver(frame, (i + 1) * CaptureStepUs);
        }
        // 48 inputs make at most 12 chunks: 12 warm-up outputs (not sent), then the outputs of up to 36 inputs.
        // Under load the gate may skip camera frames (it takes 4 evenly spaced ones per chunk); wait until quiet.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        for (var last = -1; host.Sent.Count != last && DateTime.UtcNow < deadline; await Task.Delay(500, ct)) last = host.Sent.Count;

        var sent = host.Sent.Select(s => s.CaptureUs).ToList();
        Assert.True(sent.Count >= 8, $"only {sent.Count} outputs sent");
        Assert.All(sent, c => Assert.True(c % CaptureStepUs == 0 && c is > 0 and <= Frames * CaptureStepUs, $"{c} is no camera frame's capture time"));
        Assert.Equal(sent.Order().Distinct(), sent); // strictly increasing: no warm-up frame repeated a time
        // Each output waits for the 12 engine inputs after its own, all later camera frames: the last 12
        // camera frames cannot have an output yet, and the newest output is at least 12 frames old.
        Assert.True(sent[^1] <= (Frames - 12) * CaptureStepUs, $"newest output {sent[^1]} us is less than 12 frames behind the camera");
        // Output n left with chunk (n + 12) / 4, so it waited for 12..15 later camera frames: >= 12 x 40 ms.
        var serverMs = session.GetStats().ServerLatencyMs!.Value;
        var line = $"personalive (tiny) session: median server latency {serverMs:0} ms with a 12-frame window at 25 fps";
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        Assert.InRange(serverMs, 12 * Interval.TotalMilliseconds - 5, 16 * Interval.TotalMilliseconds + 1000);
    }

    public async ValueTask DisposeAsync()
    {
        await _meters.DisposeAsync();
        try { Directory.Delete(_models, recursive: true); } catch (IOException) { }
    }
}
