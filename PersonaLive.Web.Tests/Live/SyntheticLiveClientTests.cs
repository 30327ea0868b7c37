using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Live.Benchmarks;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Portraits;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.Web.Tests.Fakes;

namespace PersonaLive.Web.Tests.Live;

/// <summary>
/// The sessions benchmark's cheap client: a camera loop encoded once starts and wraps on keyframes, and a
/// client sending it without an encoder and counting the output without a decoder still drives a real
/// session (the app with its real WebRTC stack and the echo engine) at the camera's pace.
/// </summary>
[Collection(nameof(SyntheticLiveClientTests))]
public sealed class SyntheticLiveClientTests : IAsyncLifetime
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
    public void Encoded_camera_loop_has_a_keyframe_at_the_start_and_every_interval()
    {
        var preset = new PresetPortraits().Find("ada")!;
        var loop = EncodedCameraLoop.Encode(SyntheticLiveClient.CameraLoop(preset.Png, 160, 120, 60));

        Assert.Equal(60, loop.Count);
        for (var i = 0; i < loop.Count; i++)
        {
            var frames = loop.At(i);
            Assert.Single(frames); // realtime encoder: one frame per picture, none dropped
            Assert.Equal(i % EncodedCameraLoop.KeyframeInterval == 0, frames[0].IsKeyframe);
        }
        Assert.Equal(2, loop.Keyframes);
    }

    [Fact]
    public async Task Client_without_encoder_or_decoder_drives_a_session_and_counts_its_output()
    {
        var ct = TestContext.Current.CancellationToken;
        var sessions = _factory!.Services.GetRequiredService<LiveSessionManager>();
        var (portrait, png) = await RealStackApp.AdaPortraitAsync(_factory, ct);
        var loop = EncodedCameraLoop.Encode(SyntheticLiveClient.CameraLoop(png, 160, 120, 60));

        await using var client = await SyntheticLiveClient.ConnectAsync(sessions, portrait, ct, decodeOutput: false);
        Assert.False(client.DecodesOutput);
        var session = sessions.Find(client.SessionId)!;
        for (var i = 0; i < 75; i++) // 3 s of camera at 25 fps
        {
            client.Send(loop);
            await Task.Delay(40, ct);
        }
        await Task.Delay(500, ct);

        var peer = client.Peer.GetStats();
        var server = session.GetStats();
        TestContext.Current.TestOutputHelper?.WriteLine($"client: received {client.FramesReceived}, {peer}; server: {server}");
        Assert.Equal(75, peer.FramesSent);
        Assert.Equal(0, peer.FramesEncoded); // nothing encoded by the client
        Assert.Equal(0, peer.FramesDecoded); // nothing decoded by the client
        Assert.True(client.FramesReceived > 30, $"only {client.FramesReceived} animated frames arrived");
        Assert.Equal(peer.FramesAssembled, client.FramesReceived);
        Assert.InRange(server.FpsIn, 10, 40); // the server decoded the pre-encoded camera at its pace
    }
}
