using PersonaLive.WebRtc.Benchmarks;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Tests.Media;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Negative;

/// <summary>
/// Fuzzing behind the tag check: a live session's peer turns hostile with the real SRTP keys (valid
/// tags, hostile RTP headers, VP8 descriptors and bitstreams, RTCP compounds) and sends DTLS records
/// under the running association, forged ones and ones sealed under its epoch-1 keys (renegotiation). Nothing may escape the parsers, the session stays connected,
/// decodes the honest frames sent afterwards, and the drops are counted.
/// </summary>
[Collection(UdpCollection.Name)]
public sealed class AuthenticatedFuzzTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(20261202)]
    public async Task Authenticated_hostile_packets_are_dropped_and_counted_and_the_session_keeps_decoding(int seed)
    {
        VpxTests.SkipWithoutLibvpx();
        using var logs = new TestLoggerFactory();
        var r = await AuthenticatedFuzzRun.RunAsync(logs, seed, hostilePackets: 4000, TestContext.Current.CancellationToken);
        TestContext.Current.TestOutputHelper!.WriteLine($"sealed rtp {r.RtpSealed}, unsealable {r.RtpUnsealable}, rtcp {r.RtcpSealed}, dtls {r.DtlsRecords}, sealed dtls {r.DtlsSealed}");
        TestContext.Current.TestOutputHelper!.WriteLine($"after flood: {r.AfterFlood}");
        TestContext.Current.TestOutputHelper!.WriteLine($"end: {r.End}");

        Assert.Equal(0, r.SocketHandlerErrors);
        Assert.Equal(0, logs.Errors);
        Assert.Equal(PeerConnectionState.Connected, r.ServerState);
        Assert.True(r.DtlsSealed > 50, $"sealed epoch-1 DTLS records (renegotiation attempts) must be in the mix: {r.DtlsSealed}");
        Assert.True(r.FramesDecodedAfterFlood >= 15, $"honest frames after the flood must decode: {r.FramesDecodedAfterFlood}");

        // the sealed packets passed the tag check: the server authenticated and parsed them
        long authenticated = r.AfterFlood.PacketsReceived - r.Before.PacketsReceived;
        Assert.True(authenticated >= (r.RtpSealed + r.RtcpSealed) / 2, $"authenticated {authenticated} of {r.RtpSealed + r.RtcpSealed} sealed");
        Assert.True(r.AfterFlood.NacksReceived + r.AfterFlood.PlisReceived > r.Before.NacksReceived + r.Before.PlisReceived,
            "authenticated feedback must reach the RTCP handling");

        // and what the parsers behind authentication refused is counted, as are the DTLS records
        long malformed = r.AfterFlood.DroppedMalformed - r.Before.DroppedMalformed;
        Assert.True(malformed >= r.RtpUnsealable / 2, $"malformed drops {malformed}");
        long dtlsDropped = r.AfterFlood.DroppedUnauthenticated - r.Before.DroppedUnauthenticated;
        Assert.True(dtlsDropped + malformed > r.DtlsRecords / 2, $"DTLS records dropped {dtlsDropped}");
        Assert.True(r.PortEnd.DroppedMalformed + r.PortEnd.DroppedUnauthenticated > r.PortBefore.DroppedMalformed + r.PortBefore.DroppedUnauthenticated,
            "the port's drop totals move");
    }
}
