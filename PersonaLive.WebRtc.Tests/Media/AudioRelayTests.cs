using System.Collections.Concurrent;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>
/// Voice over our own client and server on 127.0.0.1: Opus packets (opaque bytes here: we never decode)
/// go through SRTP both ways, come out with the sender's payload intact, our own SSRC and sequence, and
/// the source's sample spacing kept in the timestamps.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class AudioRelayTests
{
    [Fact]
    public async Task Opus_packets_are_relayed_both_ways_with_our_ssrc_and_the_source_spacing()
    {
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs, audioDirection: "sendrecv");
        Assert.Equal("sendrecv", pair.Server.Audio?.LocalDirection);
        Assert.Equal("sendrecv", pair.Client.Audio?.LocalDirection);
        var ct = TestContext.Current.CancellationToken;
        await PeerPair.WaitForState(pair.Client, s => s == PeerConnectionState.Connected, TimeSpan.FromSeconds(10));
        await PeerPair.WaitForState(pair.Server, s => s == PeerConnectionState.Connected, TimeSpan.FromSeconds(10));

        var atServer = new ConcurrentQueue<AudioPacket>();
        var atClient = new ConcurrentQueue<AudioPacket>();
        pair.Server.AudioReceived += (_, p) =>
        {
            atServer.Enqueue(p);
            pair.Server.SendAudio(p); // the relay: straight back under the server's own SSRC
        };
        pair.Client.AudioReceived += (_, p) => atClient.Enqueue(p);

        const uint sourceSsrc = 0x1234, firstTimestamp = 0xFFFF_F000; // wraps during the run
        ulong now = NtpTime.Now();
        for (int i = 0; i < 50; i++)
        {
            var payload = new byte[] { 0x78, (byte)i, (byte)(i * 3), 0xAB };
            Assert.True(pair.Client.SendAudio(new AudioPacket(payload, firstTimestamp + (uint)(960 * i), (ushort)i, i == 0, now, sourceSsrc)));
            await Task.Delay(2, ct);
        }

        for (int i = 0; i < 200 && atClient.Count < 50; i++)
        {
            await Task.Delay(20, ct);
        }

        Assert.Equal(50, atServer.Count);
        Assert.Equal(50, atClient.Count);
        var server = atServer.ToArray();
        var client = atClient.ToArray();
        for (int i = 0; i < 50; i++)
        {
            Assert.Equal(new byte[] { 0x78, (byte)i, (byte)(i * 3), 0xAB }, server[i].Payload);
            Assert.Equal(server[i].Payload, client[i].Payload);
            Assert.Equal(960u * (uint)i, server[i].RtpTimestamp - server[0].RtpTimestamp); // 20 ms Opus frames at 48 kHz
            Assert.Equal(960u * (uint)i, client[i].RtpTimestamp - client[0].RtpTimestamp);
            Assert.Equal((ushort)(server[0].SequenceNumber + i), server[i].SequenceNumber);
            Assert.Equal(i == 0, server[i].Marker);
        }

        Assert.NotEqual(sourceSsrc, server[0].Ssrc); // re-packetised under our own SSRC
        Assert.NotEqual(server[0].Ssrc, client[0].Ssrc);
        Assert.Equal(50, pair.Server.AudioPacketsReceived);
        Assert.Equal(50, pair.Server.AudioPacketsSent);

        // The capture time survives the hop: it is anchored on arrival (no SR yet) within a loopback's reach of the source's.
        double skewMs = Math.Abs((double)(long)(server[0].CaptureNtpTime - now)) * 1000 / 4294967296.0;
        Assert.True(skewMs < 500, $"capture time off by {skewMs:F0} ms");
    }

    [Fact]
    public async Task A_video_only_offer_sends_and_takes_no_audio()
    {
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs);
        Assert.Null(pair.Server.Audio);
        await PeerPair.WaitForState(pair.Client, s => s == PeerConnectionState.Connected, TimeSpan.FromSeconds(10));
        Assert.False(pair.Client.SendAudio(new AudioPacket([1, 2, 3], 0, 0, false, NtpTime.Now(), 1)));
        Assert.Equal(0, pair.Client.AudioPacketsSent);
    }
}
