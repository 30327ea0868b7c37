using System.Text.Json;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Interop;

/// <summary>
/// Stock Chromium with camera and microphone (its fake devices) against our stack: Opus is negotiated
/// beside VP8 in one bundle, the microphone's packets reach us, and relayed back under our SSRC (as the
/// Studio's output gets them) they are decoded by Chromium: inbound audio packets and samples counted.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class ChromiumVoiceTests
{
    [Fact]
    public async Task Chromium_negotiates_opus_and_decodes_the_voice_we_relay_back()
    {
        ChromiumWebRtcTests.SkipWithoutChromium();
        var ct = TestContext.Current.CancellationToken;
        var output = TestContext.Current.TestOutputHelper!;
        string work = Directory.CreateTempSubdirectory("webrtc-chromium-voice-").FullName;
        using var logs = new TestLoggerFactory();
        using var network = BrowserHarness.RequireNetwork();
        await using var media = new RtcMediaServer(new RtcOptions { MediaPort = 0, BindAddress = network.HostAddress.ToString() }, logs);
        RtcPeerConnection? pc = null;
        string? answerSdp = null;
        using var sendLoop = new CancellationTokenSource();
        string json;
        try
        {
            json = await BrowserHarness.RunAsync(network, "voice", ChromiumWebRtcTests.WriteClip(work), offer =>
            {
                pc = media.CreatePeerConnection();
                var self = pc;
                pc.AudioReceived += (_, packet) => self.SendAudio(packet);
                pc.ConnectionStateChanged += (_, s) =>
                {
                    if (s == PeerConnectionState.Connected)
                    {
                        _ = ChromiumWebRtcTests.SendSolidFrames(self, 81, 90, 240, sendLoop.Token);
                    }
                };
                answerSdp = pc.CreateAnswer(offer);
                return answerSdp;
            }, output, ct);
        }
        finally
        {
            sendLoop.Cancel();
        }

        output.WriteLine("page result: " + json);
        output.WriteLine($"server: audio in {pc?.AudioPacketsReceived}, audio out {pc?.AudioPacketsSent}");
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.False(root.TryGetProperty("error", out var error), error.ToString());
        Assert.Equal("connected", root.GetProperty("connectionState").GetString());
        Assert.NotNull(pc?.Audio);
        Assert.Equal("sendrecv", pc.Audio.LocalDirection);
        Assert.Contains($"a=rtpmap:{pc.Audio.OpusPayloadType} opus/48000/2", answerSdp!, StringComparison.Ordinal);
        Assert.Equal("audio/opus", root.GetProperty("audioMimeType").GetString());
        Assert.True(root.GetProperty("audioPacketsSent").GetInt32() > 0, "Chromium sent no microphone packets");
        Assert.True(pc.AudioPacketsReceived > 0, "we received no microphone packets");
        Assert.True(root.GetProperty("audioPacketsReceived").GetInt32() > 50, "Chromium received too few of our voice packets");
        Assert.True(root.GetProperty("audioSamplesReceived").GetInt64() > 0, "Chromium decoded none of our voice");
        Assert.True(root.GetProperty("framesDecoded").GetInt32() > 10, "the face must still come through beside the voice");
        Directory.Delete(work, recursive: true);
    }
}
