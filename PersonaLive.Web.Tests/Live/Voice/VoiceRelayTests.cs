using PersonaLive.Media;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;
using PersonaLive.Web.Live.Diagnostics;
using PersonaLive.Web.Live.Imaging;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Pipeline;
using PersonaLive.Web.Live.Voice;
using PersonaLive.Web.Tests.Fakes;

namespace PersonaLive.Web.Tests.Live.Voice;

/// <summary>
/// The session's voice path with fake peers: the microphone packet is held back by the video's measured
/// delay and then reaches the Studio output and every viewer, unchanged; a failing peer stops nobody.
/// </summary>
public sealed class VoiceRelayTests
{
    private static VoicePacket Packet(int i) => new([0x78, (byte)i], (uint)(960 * i), i == 0, 1_000_000 + i * 20_000, 42);

    [Fact]
    public async Task Packets_wait_for_the_delay_then_reach_every_target_in_order_even_past_a_failing_one()
    {
        var got = new List<(VoicePacket Packet, long At)>();
        Action<VoicePacket> failing = _ => throw new InvalidOperationException("peer gone");
        Action<VoicePacket> record = p => { lock (got) { got.Add((p, Stopwatch.GetTimestamp())); } };
        await using (var relay = new VoiceRelay(() => TimeSpan.FromMilliseconds(150), () => [failing, record], TimeProvider.System, NullLogger.Instance))
        {
            long pushed = Stopwatch.GetTimestamp();
            for (int i = 0; i < 5; i++)
            {
                relay.Push(Packet(i));
            }

            await WaitUntil(() => { lock (got) { return got.Count == 5; } });
            Assert.Equal(5, relay.Relayed);
            lock (got)
            {
                Assert.Equal([0, 1, 2, 3, 4], got.Select(g => (int)g.Packet.Payload[1]));
                double waited = Stopwatch.GetElapsedTime(pushed, got[0].At).TotalMilliseconds;
                Assert.True(waited >= 149, $"released after {waited:F0} ms, before its 150 ms delay");
            }
        }
    }

    [Fact]
    public async Task A_session_relays_the_hosts_voice_to_its_own_output_and_to_viewers_after_the_video_delay()
    {
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var host = new FakeMediaPeer(MediaPeerRole.Host, "host");
        var viewer = new FakeMediaPeer(MediaPeerRole.Viewer, "viewer");
        var engine = new DelayedEchoEngine(TimeSpan.FromMilliseconds(120), 1, 32);
        await using var session = new LiveSession("s", engine, host, new LiveMetrics(meters.GetRequiredService<IMeterFactory>()),
            TimeProvider.System, NullLogger.Instance);
        session.Start("offer", new PreparedPortrait(new RgbaImage(16, 16), 16));
        session.AddViewer("v", viewer, "offer");
        for (int i = 0; i < 8; i++)
        {
            using var frame = I420Frame.Create(64, 48);
            frame.Y.Fill(100); frame.U.Fill(128); frame.V.Fill(128);
            host.Deliver(frame, captureUs: 1_000_000 + i * 40_000);
            await Task.Delay(40, TestContext.Current.CancellationToken);
        }

        await WaitUntil(() => session.Latency.ServerMedianMs is not null);
        double delayMs = session.VoiceDelay.TotalMilliseconds;
        Assert.True(delayMs >= 100, $"the voice delay {delayMs:F0} ms must follow the engine's 120 ms");

        long sent = Stopwatch.GetTimestamp();
        host.RaiseVoice(Packet(7));
        await WaitUntil(() => !viewer.VoiceSent.IsEmpty && !host.VoiceSent.IsEmpty);
        Assert.True(viewer.VoiceSent.TryPeek(out var atViewer));
        Assert.Same(atViewer.Packet.Payload, host.VoiceSent.Single().Packet.Payload);
        Assert.Equal(7, atViewer.Packet.Payload[1]);
        double waited = Stopwatch.GetElapsedTime(sent, atViewer.At).TotalMilliseconds;
        Assert.True(waited >= delayMs - 1, $"relayed after {waited:F0} ms, before the video delay of {delayMs:F0} ms");
        Assert.Equal(1, session.VoicePacketsRelayed);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (int i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.True(condition());
    }
}
