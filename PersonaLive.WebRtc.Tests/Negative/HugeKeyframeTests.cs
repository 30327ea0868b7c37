using PersonaLive.Media;
using PersonaLive.WebRtc.Codecs.Vp8;
using System.Buffers.Binary;
using System.Diagnostics;
using PersonaLive.WebRtc.Benchmarks;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.Vpx;
using PersonaLive.WebRtc.Diagnostics;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Tests.Media;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Negative;

/// <summary>
/// Found while fuzzing past authentication: a peer with valid SRTP keys sends keyframes whose header
/// claims 16383x16383 (RFC 6386 section 9.1); each went to libvpx and cost it tens of milliseconds, so
/// a burst of 60 held the honest keyframe behind them for over a second. The decoder must refuse them
/// without handing them to libvpx, and the honest keyframe that follows must decode at once.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class HugeKeyframeTests
{
    [Fact]
    public void Keyframe_sizes_beyond_the_limit_or_without_a_start_code_are_not_decodable()
    {
        static byte[] Header(int w, int h, bool startCode = true)
        {
            var f = new byte[32];
            (f[3], f[4], f[5]) = startCode ? ((byte)0x9D, (byte)0x01, (byte)0x2A) : ((byte)0, (byte)0, (byte)0);
            BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(6), (ushort)w);
            BinaryPrimitives.WriteUInt16LittleEndian(f.AsSpan(8), (ushort)h);
            return f;
        }

        Assert.True(Vp8VideoCodec.IsDecodableKeyframe(Header(1920, 1080)));
        Assert.True(Vp8VideoCodec.IsDecodableKeyframe(Header(4096, 2304)));
        Assert.False(Vp8VideoCodec.IsDecodableKeyframe(Header(16383, 16383)));
        Assert.False(Vp8VideoCodec.IsDecodableKeyframe(Header(0, 480)));
        Assert.False(Vp8VideoCodec.IsDecodableKeyframe(Header(640, 480, startCode: false)));
    }

    [Fact]
    public async Task Authenticated_giant_keyframes_are_skipped_and_the_next_honest_keyframe_decodes()
    {
        VpxTests.SkipWithoutLibvpx();
        var ct = TestContext.Current.CancellationToken;
        using var logs = new TestLoggerFactory();
        await using var pair = PeerPair.Create(logs);
        await PeerPair.WaitForState(pair.Server, s => s == PeerConnectionState.Connected, TimeSpan.FromSeconds(20));
        while (pair.Client.NegotiatedKeys is null) await Task.Delay(10, ct);
        using var source = new HostileMediaSource(pair.Client.NegotiatedKeys, pair.Client.Transceiver!.LocalSsrc,
            pair.Server.Transceiver!.LocalSsrc, (byte)pair.Server.Transceiver.PayloadType, 3);
        var giant = new byte[3000];
        new Random(3).NextBytes(giant);
        giant[0] &= 0xFE;
        (giant[3], giant[4], giant[5]) = (0x9D, 0x01, 0x2A);
        BinaryPrimitives.WriteUInt16LittleEndian(giant.AsSpan(6), 0x3FFF);
        BinaryPrimitives.WriteUInt16LittleEndian(giant.AsSpan(8), 0x3FFF);
        for (int i = 0; i < 60; i++)
        {
            foreach (var d in source.Frame(giant)) pair.ClientMedia.Send(d, pair.ServerMedia.LocalEndPoint);
        }

        using var encoder = new VpxEncoder(new VpxEncoderOptions { Width = 160, Height = 120 });
        var picture = I420Frame.Create(160, 120);
        LoopbackRun.Pattern(picture, 0);
        var clock = Stopwatch.StartNew();
        foreach (var e in encoder.Encode(picture, 0, forceKeyframe: true))
        {
            foreach (var d in source.Frame(e.Data)) pair.ClientMedia.Send(d, pair.ServerMedia.LocalEndPoint);
        }

        while (pair.Server.GetStats().FramesDecoded == 0 && clock.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(10, ct);
        var stats = pair.Server.GetStats();
        TestContext.Current.TestOutputHelper!.WriteLine($"{clock.ElapsedMilliseconds} ms: {stats}");
        Assert.Equal(1, stats.FramesDecoded);
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(500), $"the honest keyframe took {clock.ElapsedMilliseconds} ms behind the giant ones");
        Assert.Equal(PeerConnectionState.Connected, pair.Server.ConnectionState);
        Assert.Equal(0, logs.Errors);
    }
}
