using PersonaLive.Media;
using PersonaLive.WebRtc.Benchmarks;
using PersonaLive.WebRtc.Diagnostics;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Tests.Media;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Negative;

/// <summary>
/// A peer (or whoever holds its keys) tries to renegotiate a running association: DTLS handshake
/// records sealed under the real epoch-1 keys, so they decrypt and reach the handshake logic. We never
/// renegotiate (RFC 5746; RFC 6347 section 4.1.2.7 lets a receiver ignore what it will not act on):
/// a ClientHello, a HelloRequest, handshake fragments that lie and warning alerts such as
/// no_renegotiation are ignored, the association stays up and media keeps flowing, in both roles.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class EncryptedRenegotiationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static TheoryData<string, bool> Attacks => new()
    {
        { "client-hello", true }, { "hello-request", true }, { "hello-request", false }, { "lying-fragments", true },
        { "lying-fragments", false }, { "finished-again", true }, { "no-renegotiation-warning", true },
        { "no-renegotiation-warning", false }, { "mixed", true }, { "mixed", false },
    };

    private static byte[] Make(string attack, int i, DtlsRecordSealer sealer, Random r) => attack switch
    {
        "client-hello" => sealer.Handshake(1, (ushort)(i % 3), HostileDtls.ClientHelloBody(r, HostileDtls.RenegotiationInfo(r))),
        "hello-request" => sealer.Handshake(0, (ushort)i, []),
        "lying-fragments" => sealer.Handshake((byte)r.Next(256), (ushort)r.Next(65536), Bytes(r, r.Next(0, 80)),
            length: r.Next(1 << 24), fragmentOffset: r.Next(1 << 24), fragmentLength: r.Next(2) == 0 ? null : r.Next(1 << 24)),
        "finished-again" => sealer.Handshake(20, (ushort)(3 + i % 3), Bytes(r, 12)),
        "no-renegotiation-warning" => sealer.Seal(21, [1, i % 2 == 0 ? (byte)100 : (byte)90]), // warning no_renegotiation / user_canceled
        "mixed" => HostileDtls.Sealed(r, sealer),
        _ => throw new ArgumentOutOfRangeException(nameof(attack)),
    };

    private static byte[] Bytes(Random r, int n)
    {
        var b = new byte[n];
        r.NextBytes(b);
        return b;
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task A_sealed_renegotiation_attempt_is_ignored_and_media_keeps_flowing(string attack, bool atServer)
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs);
        await PeerPair.WaitForState(pair.Server, s => s == PeerConnectionState.Connected, Timeout);
        await PeerPair.WaitForState(pair.Client, s => s == PeerConnectionState.Connected, Timeout);
        for (var until = DateTime.UtcNow + Timeout; pair.Client.NegotiatedKeys is null || pair.Server.NegotiatedKeys is null; await Task.Delay(20, TestContext.Current.CancellationToken))
        {
            Assert.True(DateTime.UtcNow < until, "keys were not exported");
        }

        // we speak as the side the target talks to, with that side's real write keys
        var (speaker, from, to) = atServer ? (pair.Client, pair.ClientMedia, pair.ServerMedia) : (pair.Server, pair.ServerMedia, pair.ClientMedia);
        var keys = speaker.NegotiatedKeys!.LocalRecordKeys;
        Assert.NotNull(keys);
        using var sealer = new DtlsRecordSealer(keys, 1000);
        var random = new Random(attack.Length * 7 + (atServer ? 1 : 0));
        var picture = I420Frame.Create(160, 120);
        for (int i = 0; i < 20; i++)
        {
            LoopbackRun.Pattern(picture, i);
            pair.Client.SendFrame(picture, NtpTime.Now());
            from.Send(Make(attack, i, sealer, random), to.LocalEndPoint);
            await Task.Delay(30, TestContext.Current.CancellationToken);
        }

        await Task.Delay(1500, TestContext.Current.CancellationToken); // past BouncyCastle's 1 s receive wait
        var afterAttack = pair.Server.GetStats();
        for (int i = 20; i < 40; i++)
        {
            LoopbackRun.Pattern(picture, i);
            pair.Client.SendFrame(picture, NtpTime.Now());
            await Task.Delay(30, TestContext.Current.CancellationToken);
        }

        await Task.Delay(500, TestContext.Current.CancellationToken);
        var end = pair.Server.GetStats();
        TestContext.Current.TestOutputHelper!.WriteLine(end.ToString());
        Assert.Equal(PeerConnectionState.Connected, pair.Server.ConnectionState);
        Assert.Equal(PeerConnectionState.Connected, pair.Client.ConnectionState);
        Assert.True(end.FramesDecoded - afterAttack.FramesDecoded >= 10, $"media must keep flowing after the attempt: {end.FramesDecoded - afterAttack.FramesDecoded} frames");
        Assert.Equal(0, pair.ServerMedia.SocketHandlerErrors + pair.ClientMedia.SocketHandlerErrors);
        Assert.Equal(0, logs.Errors);
    }
}
