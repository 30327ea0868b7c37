using System.Net;
using System.Net.Sockets;
using System.Text;
using PersonaLive.WebRtc.Benchmarks;
using PersonaLive.Media;
using PersonaLive.WebRtc.Diagnostics;
using PersonaLive.WebRtc.Ice;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Tests.Media;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Negative;

/// <summary>Hostile or broken peers against the full stack over UDP.</summary>
[Collection(UdpCollection.Name)]
public sealed class StackNegativeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static string FlipFingerprint(string sdp)
    {
        int i = sdp.IndexOf("a=fingerprint:sha-256 ", StringComparison.Ordinal) + "a=fingerprint:sha-256 ".Length;
        char c = sdp[i] == 'A' ? 'B' : 'A';
        return sdp[..i] + c + sdp[(i + 1)..];
    }

    [Fact]
    public async Task Wrong_fingerprint_in_the_answer_means_no_media()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs, mungeAnswer: FlipFingerprint, serverOptions: o => o.DtlsHandshakeTimeoutSeconds = 5);
        var clientEnd = await PeerPair.WaitForState(pair.Client, s => s is PeerConnectionState.Failed or PeerConnectionState.Closed or PeerConnectionState.Connected, Timeout);
        Assert.NotEqual(PeerConnectionState.Connected, clientEnd);
        var serverEnd = await PeerPair.WaitForState(pair.Server, s => s is PeerConnectionState.Failed or PeerConnectionState.Closed, Timeout);
        Assert.NotEqual(PeerConnectionState.Connected, serverEnd);
        Assert.Equal(0, pair.Server.GetStats().PacketsReceived);
        Assert.Null(pair.Server.GetStats().SrtpProfile);
        Assert.Equal(0, pair.ServerMedia.SocketHandlerErrors + pair.ClientMedia.SocketHandlerErrors);
    }

    [Fact]
    public async Task Wrong_fingerprint_in_the_offer_is_rejected_by_our_dtls_server()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs, mungeOffer: FlipFingerprint);
        var serverEnd = await PeerPair.WaitForState(pair.Server, s => s is PeerConnectionState.Failed or PeerConnectionState.Closed or PeerConnectionState.Connected, Timeout);
        Assert.Equal(PeerConnectionState.Failed, serverEnd);
        Assert.Null(pair.Server.GetStats().SrtpProfile);
        Assert.Equal(0, pair.ServerMedia.SocketHandlerErrors + pair.ClientMedia.SocketHandlerErrors);
    }

    [Fact]
    public async Task Stun_with_bad_integrity_is_answered_401_and_changes_nothing()
    {
        using var logs = new TestLoggerFactory();
        await using var media = new RtcMediaServer(PeerPair.Options(), logs);
        var pc = media.CreatePeerConnection();
        pc.CreateAnswer(TestData.Text("chrome156-offer.sdp"));
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var request = new StunMessageBuilder(StunConstants.BindingRequest, new byte[12])
            .AddString(StunConstants.AttrUsername, pc.LocalUfrag + ":k771")
            .AddUInt32(StunConstants.AttrPriority, 1)
            .AddMessageIntegrity(Encoding.UTF8.GetBytes("not-the-password-at-all"))
            .AddFingerprint().ToArray();
        await udp.SendAsync(request, media.LocalEndPoint, TestContext.Current.CancellationToken);
        var reply = await udp.ReceiveAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.True(StunMessage.TryParse(reply.Buffer, out var response));
        Assert.Equal(StunConstants.BindingError, response!.MessageType);
        Assert.Equal(401, response.ErrorCode);
        Assert.Equal(PeerConnectionState.New, pc.ConnectionState);

        // media from that (unauthenticated) address is dropped at the server
        await udp.SendAsync(new byte[] { 0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3 }, media.LocalEndPoint, TestContext.Current.CancellationToken);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.True(media.DroppedUnknownSource >= 1);
        Assert.True(pc.GetStats().DroppedUnauthenticated >= 1);
        Assert.Equal(0, media.SocketHandlerErrors);
    }

    /// <summary>Kinds of garbage a hostile or broken peer sends, and the counter each must land in.</summary>
    private enum Garbage
    {
        UnknownFirstByte, ShorterThanItsClass, StunWithoutMagicCookie, // RtcMediaServer.DroppedMalformed
        FakeSrtp, FakeSrtcp,                                          // peer DroppedUnauthenticated (tag fails)
        TruncatedSrtp, TruncatedSrtcp, DtlsJunk,                      // peer DroppedMalformed
        FromStranger,                                                 // RtcMediaServer.DroppedUnknownSource
    }

    private static byte[] MakeGarbage(Garbage kind, Random random)
    {
        byte[] Bytes(int min, int max)
        {
            var b = new byte[random.Next(min, max + 1)];
            random.NextBytes(b);
            return b;
        }

        byte[] b;
        switch (kind)
        {
            case Garbage.UnknownFirstByte:
                b = Bytes(1, 300);
                b[0] = (byte)(random.Next(2) == 0 ? random.Next(64, 128) : random.Next(192, 256)); // RFC 7983: none of ours
                return b;
            case Garbage.ShorterThanItsClass:
                return random.Next(3) switch
                {
                    0 => [0, 1, 0, 0, 0x21, 0x12], // STUN < 20 bytes
                    1 => [22, 254, 253, 0, 0, 0],  // DTLS < 13 bytes
                    _ => [0x80, 96, 0, 1, 0, 0],    // RTP < 12 bytes
                };
            case Garbage.StunWithoutMagicCookie:
                b = Bytes(20, 300);
                b[0] = 0;
                b.AsSpan(4, 4).Clear();
                return b;
            case Garbage.FakeSrtp or Garbage.FromStranger:
                b = Bytes(40, 300);
                (b[0], b[1]) = (0x80, 96);
                return b;
            case Garbage.FakeSrtcp:
                b = Bytes(40, 300);
                (b[0], b[1]) = (0x81, 200);
                return b;
            case Garbage.TruncatedSrtp:
                b = Bytes(12, 21); // a header but no room for the tag of either profile
                (b[0], b[1]) = (0x80, 96);
                return b;
            case Garbage.TruncatedSrtcp:
                b = Bytes(8, 19);
                (b[0], b[1]) = (0x81, 200);
                return b;
            default:
                b = Bytes(13, 300);
                b[0] = (byte)random.Next(20, 64);
                b[1] = 0; // not a DTLS version
                return b;
        }
    }

    [Fact]
    public async Task Duplicated_and_garbage_packets_from_the_peer_are_dropped_and_counted_while_media_flows()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs, duplicate: 0.2);
        await PeerPair.WaitForState(pair.Server, s => s == PeerConnectionState.Connected, Timeout);
        await PeerPair.WaitForState(pair.Client, s => s == PeerConnectionState.Connected, Timeout);
        using var stranger = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        await Task.Delay(300, TestContext.Current.CancellationToken); // let the handshake's stragglers land before the baseline
        var before = pair.Server.GetStats();
        long serverMalformed = pair.ServerMedia.DroppedMalformed, unknownSource = pair.ServerMedia.DroppedUnknownSource;
        var sent = new Dictionary<Garbage, int>();
        var random = new Random(5);
        var picture = I420Frame.Create(160, 120);
        for (int i = 0; i < 60; i++)
        {
            LoopbackRun.Pattern(picture, i);
            pair.Client.SendFrame(picture, NtpTime.Now());
            foreach (var kind in Enum.GetValues<Garbage>())
            {
                var junk = MakeGarbage(kind, random);
                if (kind == Garbage.FromStranger)
                {
                    stranger.Send(junk, junk.Length, pair.ServerMedia.LocalEndPoint);
                }
                else
                {
                    pair.Relay!.InjectToServer(junk); // from the client's authenticated address
                }

                sent[kind] = sent.GetValueOrDefault(kind) + 1;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        await Task.Delay(500, TestContext.Current.CancellationToken);
        var stats = pair.Server.GetStats();
        TestContext.Current.TestOutputHelper!.WriteLine(stats.ToString());
        Assert.Equal(PeerConnectionState.Connected, pair.Server.ConnectionState);
        Assert.True(stats.DroppedReplayed > 0, "duplicates must hit the replay window");
        Assert.Equal(sent[Garbage.UnknownFirstByte] + sent[Garbage.ShorterThanItsClass] + sent[Garbage.StunWithoutMagicCookie],
            pair.ServerMedia.DroppedMalformed - serverMalformed);
        Assert.Equal(sent[Garbage.FakeSrtp] + sent[Garbage.FakeSrtcp], stats.DroppedUnauthenticated - before.DroppedUnauthenticated);
        Assert.Equal(sent[Garbage.TruncatedSrtp] + sent[Garbage.TruncatedSrtcp] + sent[Garbage.DtlsJunk], stats.DroppedMalformed - before.DroppedMalformed);
        Assert.Equal(sent[Garbage.FromStranger], pair.ServerMedia.DroppedUnknownSource - unknownSource);
        Assert.Equal(0, pair.ServerMedia.SocketHandlerErrors); // no exception reached the socket loop
        Assert.Equal(0, pair.ClientMedia.SocketHandlerErrors);
        Assert.True(stats.FramesDecoded >= 50, $"media must keep flowing, decoded {stats.FramesDecoded}");
    }

    [Fact]
    public async Task Mutated_packets_through_the_socket_never_reach_the_socket_loop_as_exceptions()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory(Microsoft.Extensions.Logging.LogLevel.Error);
        await using var pair = PeerPair.Create(logs, duplicate: 0.0001);
        await PeerPair.WaitForState(pair.Server, s => s == PeerConnectionState.Connected, Timeout);
        await PeerPair.WaitForState(pair.Client, s => s == PeerConnectionState.Connected, Timeout);
        using var stranger = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var seeds = FuzzBenchmark.Seeds();
        var before = pair.Server.GetStats();
        long serverDropped = pair.ServerMedia.DroppedMalformed + pair.ServerMedia.DroppedUnknownSource;
        var random = new Random(11);
        var picture = I420Frame.Create(160, 120);
        for (int i = 0; i < 40; i++)
        {
            LoopbackRun.Pattern(picture, i);
            pair.Client.SendFrame(picture, NtpTime.Now());
            for (int k = 0; k < 50; k++)
            {
                var input = ParserFuzzer.Mutate(seeds[random.Next(seeds.Count)], random);
                if (input.Length == 0)
                {
                    continue;
                }

                if (k % 5 == 0)
                {
                    stranger.Send(input, input.Length, pair.ServerMedia.LocalEndPoint);
                }
                else
                {
                    pair.Relay!.InjectToServer(input);
                }
            }

            await Task.Delay(25, TestContext.Current.CancellationToken);
        }

        await Task.Delay(500, TestContext.Current.CancellationToken);
        var stats = pair.Server.GetStats();
        TestContext.Current.TestOutputHelper!.WriteLine(stats.ToString());
        Assert.Equal(0, pair.ServerMedia.SocketHandlerErrors);
        Assert.Equal(0, logs.Errors);
        Assert.Equal(PeerConnectionState.Connected, pair.Server.ConnectionState);
        long peerDropped = stats.DroppedMalformed + stats.DroppedUnauthenticated + stats.DroppedReplayed
            - before.DroppedMalformed - before.DroppedUnauthenticated - before.DroppedReplayed;
        Assert.True(peerDropped > 0 && pair.ServerMedia.DroppedMalformed + pair.ServerMedia.DroppedUnknownSource > serverDropped);
        Assert.True(stats.FramesDecoded >= 30, $"media must keep flowing, decoded {stats.FramesDecoded}");
    }

    [Fact]
    public async Task Silent_peer_is_dropped_after_the_consent_timeout()
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs, duplicate: 0.0001, serverOptions: o => o.ConsentTimeoutSeconds = 3);
        await PeerPair.WaitForState(pair.Server, s => s == PeerConnectionState.Connected, Timeout);
        await Task.Delay(1500, TestContext.Current.CancellationToken);
        Assert.Equal(PeerConnectionState.Connected, pair.Server.ConnectionState); // consent checks keep it alive
        pair.Relay!.Blackhole = true; // the client vanishes without a goodbye
        var end = await PeerPair.WaitForState(pair.Server, s => s is PeerConnectionState.Failed or PeerConnectionState.Closed, TimeSpan.FromSeconds(10));
        Assert.Equal(PeerConnectionState.Failed, end);
        Assert.Equal(0, pair.ServerMedia.SocketHandlerErrors);
    }
}
