using System.Diagnostics;
using System.Text;
using PersonaLive.WebRtc.Diagnostics;

namespace PersonaLive.WebRtc.Benchmarks;

/// <summary>
/// The long fuzz run (bench verb <c>fuzz</c>): mutates valid seeds (RFC 5769 STUN, RTP, RTCP compound,
/// VP8 payloads, an SDP offer given on disk or a built-in one) for the given time and reports
/// iterations and contract violations (keys iterations, failures); then floods a live loopback session
/// with hostile packets sealed under its real SRTP keys and DTLS handshake records
/// (<see cref="AuthenticatedFuzzRun"/>, keys <c>authenticated_packets</c> and
/// <c>authenticated_failures</c>: an exception, a session no longer connected, handler errors, or no
/// honest frames decoded after the flood). CI runs bounded versions of both as tests.
/// </summary>
public static class FuzzBenchmark
{
    public static async Task<IReadOnlyList<KeyValuePair<string, double>>> RunAsync(int? seconds, TextWriter log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(log);
        var seeds = Seeds();
        var random = new Random(Environment.TickCount);
        var clock = Stopwatch.StartNew();
        long iterations = 0, failures = 0;
        while (clock.Elapsed.TotalSeconds < (seconds ?? 60) && !ct.IsCancellationRequested)
        {
            var input = ParserFuzzer.Mutate(seeds[random.Next(seeds.Count)], random);
            try
            {
                ParserFuzzer.Exercise(input);
                if ((iterations & 15) == 0)
                {
                    ParserFuzzer.ExerciseSdp(Encoding.UTF8.GetString(input));
                }
            }
            catch (Exception e)
            {
                failures++;
                if (failures <= 5)
                {
                    log.WriteLine($"fuzz failure on {Convert.ToHexString(input)}: {e}");
                }
            }

            iterations++;
        }

        log.WriteLine($"fuzz: {iterations} inputs in {clock.Elapsed.TotalSeconds:F0} s, {failures} contract violations");
        int seed = Environment.TickCount;
        const int hostile = 20_000;
        long authenticatedFailures = 0;
        try
        {
            var r = await AuthenticatedFuzzRun.RunAsync(Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, seed, hostile, ct).ConfigureAwait(false);
            log.WriteLine($"fuzz: seed {seed}, {hostile} hostile datagrams ({r.RtpSealed} sealed RTP, {r.RtcpSealed} sealed RTCP, {r.DtlsRecords} DTLS, {r.DtlsSealed} sealed DTLS), "
                + $"{r.End.PacketsReceived - r.Before.PacketsReceived} authenticated, state {r.ServerState}, {r.FramesDecodedAfterFlood} frames decoded after");
            if (r.ServerState != PeerConnection.PeerConnectionState.Connected || r.SocketHandlerErrors > 0 || r.FramesDecodedAfterFlood < 10)
            {
                authenticatedFailures++;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            authenticatedFailures++;
            log.WriteLine($"fuzz: authenticated flood with seed {seed} failed: {e}");
        }

        return [new("iterations", iterations), new("failures", failures), new("authenticated_packets", hostile), new("authenticated_failures", authenticatedFailures)];
    }

    private static byte[] RtcpCompound()
    {
        var b = new byte[512];
        var block = new Rtcp.ReportBlock(0xABCDEF01, 25, -3, 70000, 12, 0x11112222, 65536);
        int n = Rtcp.RtcpWriter.WriteSenderReport(b, new Rtcp.SenderInfo(42, 0xE000000180000000, 9000, 10, 12000), [block]);
        n += Rtcp.RtcpWriter.WriteSdesCname(b.AsSpan(n), 42, "cname-1");
        n += Rtcp.RtcpWriter.WritePli(b.AsSpan(n), 42, 7);
        n += Rtcp.RtcpWriter.WriteNack(b.AsSpan(n), 42, 7, [100, 101, 103]);
        n += Rtcp.RtcpWriter.WriteRemb(b.AsSpan(n), 42, 500_000, [7u]);
        return b[..n];
    }

    /// <summary>Valid packets of every kind the parsers handle.</summary>
    public static List<byte[]> Seeds() =>
    [
        Convert.FromHexString("000100582112A442B7E7A701BC34D686FA87DFAE802200105354554E207465737420636C69656E74002400046E0001FF80290008932FF9B151263B36000600096576746A3A68367659202020000800149AEAA70CBFD8CB56781EF2B5B2D3F249C1B571A280280004E57A3BCF"),
        Convert.FromHexString("0101003C2112A442B7E7A701BC34D686FA87DFAE8022000B7465737420766563746F7220002000080001A147E112A643000800142B91F599FD9E90C38C7489F92AF9BA53F06BE7D780280004C07D4C96"),
        Convert.FromHexString("9060F17B8041F8D35501A0B2BEDE0002102233445566778890808001B0000000009D012A8002E001"),
        RtcpCompound(),
        Encoding.UTF8.GetBytes("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\n"
            + "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\na=fingerprint:sha-256 " + string.Join(':', Enumerable.Repeat("AB", 32))
            + "\r\na=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:96 nack pli\r\na=ssrc:1 cname:x\r\n"),
    ];
}
