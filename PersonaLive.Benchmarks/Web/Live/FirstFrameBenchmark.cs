using System.Diagnostics;
using PersonaLive.Inference.Engines;
using PersonaLive.TestSupport;
using PersonaLive.Web.Live.Diagnostics;
using PersonaLive.Web.Live.Portraits;
using SkiaSharp;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// <c>./persona.sh bench first-frame</c>: milliseconds from pressing Start (camera granted, portrait
/// ready: the page's <c>?autostart=ada</c>) to the first presented animated frame, measured by the page
/// (live.js: requestVideoFrameCallback on the output video), median of 5 runs, lite engine (warmed up
/// first), stock browsers in a test network namespace (<see cref="BrowserStage"/>). <c>chromium_ms</c>:
/// Chromium over the direct path; <c>firefox_ms</c>: Firefox ESR over the direct path (its namespace gets
/// the fenced default route Firefox needs to offer a host candidate, and its fake camera is Firefox's own
/// synthetic stream: it plays no clip); <c>turn_ms</c>: Chromium with iceTransportPolicy "relay" through a
/// coturn started on the test network's host address.
/// </summary>
public static class FirstFrameBenchmark
{
    private const int Runs = 5;

    public static async Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(TextWriter log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(log);
        double direct = await MeasureAsync(Series.Chromium, log, ct).ConfigureAwait(false);
        double firefox = await MeasureAsync(Series.Firefox, log, ct).ConfigureAwait(false);
        double relayed = await MeasureAsync(Series.Turn, log, ct).ConfigureAwait(false);
        return [new("chromium_ms", Math.Round(direct)), new("firefox_ms", Math.Round(firefox)), new("turn_ms", Math.Round(relayed))];
    }

    /// <summary>What one series measures: the browser, and whether media must go through TURN.</summary>
    private enum Series
    {
        Chromium,
        Firefox,
        Turn,
    }

    private static async Task<double> MeasureAsync(Series series, TextWriter log, CancellationToken ct)
    {
        bool turn = series == Series.Turn;
        if (turn && !TestTurnServer.IsInstalled) throw new InvalidOperationException($"{TestTurnServer.Executable} is missing: apt-get install coturn.");
        if (series == Series.Firefox && !StockFirefox.IsInstalled) throw new InvalidOperationException($"{StockFirefox.Path} is missing: apt-get install firefox-esr.");
        TestTurnServer? server = null;
        await using var stage = await BrowserStage.StartAsync(network =>
        {
            if (!turn) return [];
            server = TestTurnServer.Start(network);
            return
            [
                "--Rtc:IceServers:0:Urls:0", $"turn:{server.Address}:{server.Port}?transport=udp",
                "--Rtc:IceServers:0:SharedSecret", server.SharedSecret, "--Rtc:IceTransportPolicy", "relay",
            ];
        }, ct).ConfigureAwait(false);
        try
        {
            var services = stage.App.Services;
            await services.GetRequiredService<IAnimationEngineFactory>().WarmUpAsync(null, ct).ConfigureAwait(false);
            if (series == Series.Firefox && stage.Network.AddFencedDefaultRoute() is { } routeProblem)
                throw new InvalidOperationException($"No default route for Firefox in the test network: {routeProblem}");
            var camera = Path.Combine(stage.Work.FullName, "camera.y4m");
            var preset = services.GetRequiredService<PresetPortraits>().Find("ada")!;
            Y4mVideo.Write(camera, 640, 480, 25, Y4mVideo.MovingFace(preset.Png, 640, 480, 25, new SKColor(120, 130, 140)));
            var samples = new List<double>();
            for (int run = 0; run <= Runs; run++) // run 0 warms the browser's and the server's first-use paths; not kept
            {
                var measured = new TaskCompletionSource<double>(TaskCreationOptions.RunContinuationsAsynchronously);
                void OnReported(string _, double ms) => measured.TrySetResult(ms);
                FirstFrameProbe.Reported += OnReported;
                string url = stage.BaseUrl + "/?autostart=ada";
                using var browser = series == Series.Firefox ? stage.StartFirefox(url) : stage.StartChromium(url, camera);
                try
                {
                    double ms = await measured.Task.WaitAsync(TimeSpan.FromSeconds(90), ct).ConfigureAwait(false);
                    log.WriteLine($"first-frame: {series.ToString().ToLowerInvariant()} run {run}: {ms:0} ms{(run == 0 ? " (warm-up, not kept)" : "")}");
                    if (run > 0) samples.Add(ms);
                }
                finally
                {
                    FirstFrameProbe.Reported -= OnReported;
                    browser.Kill(entireProcessTree: true);
                    await browser.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                }

                await Task.Delay(500, ct).ConfigureAwait(false); // the session ends with the page
            }

            samples.Sort();
            return samples[samples.Count / 2];
        }
        finally
        {
            server?.Dispose();
        }
    }
}
