using PersonaLive.Media;

namespace PersonaLive.TestSupport;

/// <summary>
/// Plays one <see cref="NetworkScenario"/> to one session: the lab is set to the first phase, a
/// <see cref="LabClient"/> connects to the given answerer and sends its camera loop while the phases
/// follow each other; the recording is kept for the caller to summarise. Times in the recording count
/// from the scenario's start (the client connects just before).
/// </summary>
internal static class ScenarioRun
{
    /// <summary>Camera rate of the lab's client (a webcam's 25 fps, as in the e2e benchmark).</summary>
    public const int CameraFps = 25;

    /// <summary>
    /// Runs <paramref name="scenario"/>; returns the recording and when (recording time) the scenario
    /// started. <paramref name="beforeHangUp"/> runs after the last phase, while the client is still connected.
    /// </summary>
    public static async Task<(LabRecording Recording, double Start)> RunAsync(NetworkLab lab, NetworkScenario scenario,
        Func<CancellationToken, Task<Web.Live.Benchmarks.SyntheticLiveClient>> connect, IReadOnlyList<I420Frame> camera,
        Action<string>? log, CancellationToken ct, Action? beforeHangUp = null)
    {
        ArgumentNullException.ThrowIfNull(lab);
        ArgumentNullException.ThrowIfNull(scenario);
        lab.Shape(scenario.Phases[0].Shape);
        await using var client = await LabClient.ConnectAsync(connect, ct).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var camTask = Task.Run(() => client.RunCameraAsync(camera, CameraFps, stop.Token), CancellationToken.None);
        var traceTask = log is null ? Task.CompletedTask : Task.Run(() => TraceAsync(client, log, stop.Token), CancellationToken.None);
        double start = client.Recording.Now;
        try
        {
            for (int i = 0; i < scenario.Phases.Count; i++)
            {
                var phase = scenario.Phases[i];
                lab.Shape(phase.Shape);
                log?.Invoke($"{scenario.Name}: phase {i + 1}/{scenario.Phases.Count}: {phase.Shape} for {phase.Seconds:0.#} s");
                await Task.Delay(TimeSpan.FromSeconds(phase.Seconds), ct).ConfigureAwait(false);
            }

            beforeHangUp?.Invoke();
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await camTask.ConfigureAwait(false);
            await traceTask.ConfigureAwait(false);
        }

        return (client.Recording, start);
    }

    /// <summary>
    /// Once a second, the client's side of the session: its camera sender (the uplink) and its receiver of
    /// the output (the downlink), so a freeze can be told apart as an uplink stall or an output loss.
    /// </summary>
    private static async Task TraceAsync(LabClient client, Action<string> log, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long lastSent = 0, lastDecoded = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(1000, ct).ConfigureAwait(false);
                var s = client.Client.Peer.GetStats();
                log(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"client trace {clock.Elapsed.TotalSeconds:0}s up: encoder {s.EncoderBitrateKbps} kbit/s sent {(s.BytesSent - lastSent) * 8 / 1000} kbit/s flushes {s.PacerFlushes} plis in {s.PlisReceived} ({s.KeyframeRequestsCovered} covered) resent {s.Retransmissions} rtt {s.RoundTripMs:0}; down: decoded {s.FramesDecoded - lastDecoded} fps keyframes {s.KeyframesDecoded} lost {s.FramesLost} recovered {s.FramesRecovered} nacks {s.NacksSent} plis {s.PlisSent} loss {s.LocalFractionLost * 100:0.#} %"));
                lastSent = s.BytesSent;
                lastDecoded = s.FramesDecoded;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
