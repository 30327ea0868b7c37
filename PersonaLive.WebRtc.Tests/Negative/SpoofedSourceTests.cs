using System.Buffers.Binary;
using System.Text;
using PersonaLive.WebRtc.Benchmarks;
using PersonaLive.Media;
using PersonaLive.WebRtc.Ice;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Tests.Media;
using PersonaLive.TestSupport;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Negative;

/// <summary>
/// An attacker who knows the browser's address and port forges datagrams from it (raw socket on
/// loopback). None of them is authenticated, so none may end or disturb the live association
/// (RFC 6347 section 4.1.2.7: invalid records are discarded silently; only an authenticated alert closes).
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class SpoofedSourceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static TheoryData<string> Attacks =>
    [
        "dtls-appdata-epoch1-2-byte-body", "dtls-close-notify-epoch0", "dtls-fatal-alert-epoch0",
        "dtls-close-notify-epoch1-bad-mac", "dtls-fatal-alert-epoch1-too-short", "dtls-epoch2",
        "dtls-handshake-garbage-epoch0", "dtls-client-hello-epoch0", "dtls-random-records",
        "rtcp-bye-real-ssrc-bad-tag", "srtp-bad-tag", "stun-bad-integrity",
    ];

    private static byte[] Record(byte type, ushort epoch, ulong sequence, byte[] fragment)
    {
        var r = new byte[13 + fragment.Length];
        (r[0], r[1], r[2]) = (type, 254, 253);
        BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(3), epoch);
        BinaryPrimitives.WriteUInt64BigEndian(r.AsSpan(3), ((ulong)epoch << 48) | (sequence & 0xFFFF_FFFF_FFFF));
        BinaryPrimitives.WriteUInt16BigEndian(r.AsSpan(11), (ushort)fragment.Length);
        fragment.CopyTo(r, 13);
        return r;
    }

    private static byte[] Random(Random random, int length)
    {
        var b = new byte[length];
        random.NextBytes(b);
        return b;
    }

    private static byte[] Make(string attack, int i, uint victimSsrc, string serverUfrag, Random random) => attack switch
    {
        "dtls-appdata-epoch1-2-byte-body" => Record(23, 1, (ulong)(1000 + i), [0xAB, 0xCD]), // the 15-byte record of the report
        "dtls-close-notify-epoch0" => Record(21, 0, (ulong)(5000 + i), [1, 0]),
        "dtls-fatal-alert-epoch0" => Record(21, 0, (ulong)(6000 + i), [2, 40]),
        "dtls-close-notify-epoch1-bad-mac" => Record(21, 1, (ulong)(7000 + i), Random(random, 2 + 24)),
        "dtls-fatal-alert-epoch1-too-short" => Record(21, 1, (ulong)(8000 + i), [2, 20]),
        "dtls-epoch2" => Record((byte)(21 + (i % 3)), 2, (ulong)i, Random(random, 40)),
        "dtls-handshake-garbage-epoch0" => Record(22, 0, (ulong)(9000 + i), Random(random, 12 + random.Next(0, 200))),
        "dtls-client-hello-epoch0" => Record(22, 0, 0, [1, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0, 40, 254, 253, .. Random(random, 38)]),
        "dtls-random-records" => Record((byte)random.Next(20, 25), (ushort)random.Next(0, 3), (ulong)random.Next(), Random(random, random.Next(0, 64))),
        "rtcp-bye-real-ssrc-bad-tag" => RtcpBye(victimSsrc, random),
        "srtp-bad-tag" => [0x80, 96, 0xA0, (byte)i, 0, 0, 0, 1, (byte)(victimSsrc >> 24), (byte)(victimSsrc >> 16), (byte)(victimSsrc >> 8), (byte)victimSsrc, .. Random(random, 100)],
        "stun-bad-integrity" => new StunMessageBuilder(StunConstants.BindingRequest, Random(random, 12))
            .AddString(StunConstants.AttrUsername, serverUfrag + ":spoof")
            .AddUInt32(StunConstants.AttrPriority, 1)
            .AddMessageIntegrity(Encoding.UTF8.GetBytes("not-the-password-at-all"))
            .AddFingerprint().ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(attack)),
    };

    /// <summary>SRTCP BYE (RFC 3550 section 6.6) naming the real sender, with an SRTCP index and a tag that cannot verify.</summary>
    private static byte[] RtcpBye(uint ssrc, Random random)
    {
        var p = new byte[8 + 4 + 16];
        (p[0], p[1], p[2], p[3]) = (0x81, 203, 0, 1);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(4), ssrc);
        BinaryPrimitives.WriteUInt32BigEndian(p.AsSpan(8), 0x8000_0000u | (uint)random.Next(1, 1 << 30));
        random.NextBytes(p.AsSpan(12));
        return p;
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task A_forged_datagram_from_the_peers_address_never_ends_the_session(string attack)
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs);
        await PeerPair.WaitForState(pair.Server, s => s == PeerConnectionState.Connected, Timeout);
        await PeerPair.WaitForState(pair.Client, s => s == PeerConnectionState.Connected, Timeout);
        using var spoofer = SpoofedUdpSender.Open(pair.ClientMedia.LocalEndPoint, pair.ServerMedia.LocalEndPoint);
        var picture = I420Frame.Create(160, 120);
        var random = new Random(attack.Length);
        uint victimSsrc = pair.Client.Transceiver!.LocalSsrc;
        var before = pair.Server.GetStats();
        for (int i = 0; i < 10; i++)
        {
            LoopbackRun.Pattern(picture, i);
            pair.Client.SendFrame(picture, NtpTime.Now());
            spoofer.Send(Make(attack, i, victimSsrc, pair.Server.LocalUfrag, random));
            await Task.Delay(40, TestContext.Current.CancellationToken);
        }

        await Task.Delay(1500, TestContext.Current.CancellationToken); // past BouncyCastle's 1 s receive wait
        var afterAttack = pair.Server.GetStats();
        for (int i = 10; i < 30; i++)
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
        Assert.True(end.FramesDecoded - afterAttack.FramesDecoded >= 10, $"media must keep flowing after the attack: {end.FramesDecoded - afterAttack.FramesDecoded} frames");
        Assert.Equal(0, pair.ServerMedia.SocketHandlerErrors);
        if (attack is "dtls-appdata-epoch1-2-byte-body" or "dtls-close-notify-epoch0" or "dtls-fatal-alert-epoch0"
            or "dtls-fatal-alert-epoch1-too-short" or "dtls-epoch2" or "rtcp-bye-real-ssrc-bad-tag" or "srtp-bad-tag")
        {
            // a forged SRTP sequence number far from the real one is refused by the replay check before the tag is tried
            long dropped = end.DroppedUnauthenticated + end.DroppedReplayed - before.DroppedReplayed;
            Assert.True(dropped >= 10, $"every forged packet must be counted as dropped: {dropped}");
        }
    }
}
