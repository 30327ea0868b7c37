using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PersonaLive.Web.Live.Benchmarks;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.Web.Tests.Fakes;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.Web.Tests.Live.Voice;

/// <summary>
/// The app with its real WebRTC stack and the echo engine: a client's Opus packets come back on the
/// Studio's output (our SSRC, payload intact) no earlier than the video's measured delay.
/// </summary>
[Collection(nameof(SyntheticLiveClientTests))]
public sealed class RealStackVoiceTests : IAsyncLifetime
{
    private WebApplicationFactory<Program>? _factory;

    public ValueTask InitializeAsync()
    {
        _factory = RealStackApp.Start();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
    }

    [Fact]
    public async Task Voice_comes_back_on_the_studio_output_held_back_by_the_video_delay()
    {
        var ct = TestContext.Current.CancellationToken;
        var sessions = _factory!.Services.GetRequiredService<LiveSessionManager>();
        var (portrait, png) = await RealStackApp.AdaPortraitAsync(_factory, ct);
        var loop = EncodedCameraLoop.Encode(SyntheticLiveClient.CameraLoop(png, 160, 120, 60));
        await using var client = await SyntheticLiveClient.ConnectAsync(sessions, portrait, ct, decodeOutput: false, voice: true);
        Assert.Equal("sendrecv", client.Peer.Audio?.LocalDirection);
        var session = sessions.Find(client.SessionId)!;
        var back = new ConcurrentQueue<(AudioPacket Packet, long At)>();
        client.Peer.AudioReceived += (_, p) => back.Enqueue((p, Stopwatch.GetTimestamp()));
        for (var i = 0; i < 50 && session.GetStats().ServerLatencyMs is null; i++)
        {
            client.Send(loop);
            await Task.Delay(40, ct);
        }

        double delayMs = session.VoiceDelay.TotalMilliseconds;
        long sent = Stopwatch.GetTimestamp();
        for (var i = 0; i < 10; i++)
        {
            Assert.True(client.Peer.SendAudio(new AudioPacket([0x78, (byte)i], (uint)(960 * i), (ushort)i, i == 0, NtpTime.Now(), 99)));
            client.Send(loop);
            await Task.Delay(20, ct);
        }

        for (var i = 0; i < 200 && back.Count < 10; i++) await Task.Delay(10, ct);
        TestContext.Current.TestOutputHelper?.WriteLine($"voice delay {delayMs:F0} ms, packets back {back.Count}, server {session.GetStats()}");
        var packets = back.ToArray();
        Assert.Equal(10, packets.Length);
        Assert.Equal(Enumerable.Range(0, 10), packets.Select(p => (int)p.Packet.Payload[1]));
        Assert.NotEqual(99u, packets[0].Packet.Ssrc);
        double waited = Stopwatch.GetElapsedTime(sent, packets[0].At).TotalMilliseconds;
        Assert.True(waited >= delayMs - 1, $"the voice came back after {waited:F0} ms, before the video delay of {delayMs:F0} ms");
        Assert.Equal(10, session.VoicePacketsRelayed);
    }
}
