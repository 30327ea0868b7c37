using System.Globalization;
using PersonaLive.TestSupport;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// A once-a-second log line per live session of the lab's host while a scenario plays: our sender's
/// encoder bitrate (the lower of the loss- and delay-based estimates), the loss-based target, what was
/// sent, the loss the client reported, and NACKs, retransmissions, keyframe requests and pacer flushes so
/// far. It explains a benchmark figure (why goodput sat low, what happened at a capacity step); it is not
/// itself a figure. Dispose to stop.
/// </summary>
internal sealed class SenderTrace : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private SenderTrace(LabHost host, TextWriter log) => _loop = Task.Run(() => LoopAsync(host, log, _stop.Token));

    public static SenderTrace Start(LabHost host, TextWriter log) => new(host, log);

    private static async Task LoopAsync(LabHost host, TextWriter log, CancellationToken ct)
    {
        var sent = new Dictionary<string, long>();
        var decoded = new Dictionary<string, long>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(1000, ct).ConfigureAwait(false);
                foreach (var id in host.Sessions.FindAllIds())
                {
                    if (host.Sessions.Find(id) is not { } session) continue;
                    var s = session.GetTransportStats();
                    long before = sent.GetValueOrDefault(id, s.BytesSent);
                    sent[id] = s.BytesSent;
                    long decodedBefore = decoded.GetValueOrDefault(id, s.FramesDecoded);
                    decoded[id] = s.FramesDecoded;
                    log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"network: trace {clock.Elapsed.TotalSeconds:0}s camera in {s.FramesDecoded - decodedBefore} fps, encoder {s.EncoderBitrateKbps} kbit/s, loss-based {s.TargetBitrateBps / 1000}, sent {(s.BytesSent - before) * 8 / 1000} kbit/s, "
                        + $"reported loss {s.RemoteFractionLost * 100:0.#} %, nacks {s.NacksReceived}, resent {s.Retransmissions}, plis {s.PlisReceived} ({s.KeyframeRequestsCovered} covered), flushes {s.PacerFlushes}; in: lost {s.FramesLost} keyframes {s.KeyframesDecoded} nacks {s.NacksSent} plis {s.PlisSent} rtt {s.RoundTripMs:0}"));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop.Wait();
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }
}
