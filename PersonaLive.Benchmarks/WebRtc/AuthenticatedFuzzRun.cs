using PersonaLive.Media;
using Microsoft.Extensions.Logging;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.Vpx;
using PersonaLive.WebRtc.Diagnostics;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Transport;

namespace PersonaLive.WebRtc.Benchmarks;

/// <summary>Outcome of one <see cref="AuthenticatedFuzzRun"/>.</summary>
public sealed record AuthenticatedFuzzResult(
    long HostileSent,
    long RtpSealed,
    long RtpUnsealable,
    long RtcpSealed,
    long DtlsRecords,
    PeerConnectionStats Before,
    PeerConnectionStats AfterFlood,
    PeerConnectionStats End,
    PeerConnectionState ServerState,
    long SocketHandlerErrors,
    MediaPortTotals PortBefore,
    MediaPortTotals PortEnd)
{
    /// <summary>Frames the server decoded from the honest stream sent after the flood.</summary>
    public long FramesDecodedAfterFlood => End.FramesDecoded - AfterFlood.FramesDecoded;

    /// <summary>DTLS datagrams sealed under the client's epoch-1 keys (renegotiation attempts, warning alerts...).</summary>
    public long DtlsSealed { get; init; }
}

/// <summary>
/// Fuzzing past authentication: our server and our client connect on 127.0.0.1; then, from the
/// client's own socket and with the client's exported SRTP keys (<see cref="HostileMediaSource"/>),
/// a stream of honest VP8 frames is interleaved with hostile SRTP, SRTCP and DTLS datagrams that the
/// server authenticates and parses. After the flood the same source sends honest frames (the first a
/// keyframe) and the run reports what the server counted and decoded. The real client sends no RTP
/// of its own, so the hostile source owns the client's SSRC and sequence space.
/// </summary>
public static class AuthenticatedFuzzRun
{
    private const int Width = 160, Height = 120;

    public static async Task<AuthenticatedFuzzResult> RunAsync(ILoggerFactory logs, int seed, int hostilePackets, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(logs);
        var options = new RtcOptions { MediaPort = 0, BindAddress = "127.0.0.1" };
        await using var serverMedia = new RtcMediaServer(options, logs);
        await using var clientMedia = new RtcMediaServer(new RtcOptions { MediaPort = 0, BindAddress = "127.0.0.1" }, logs);
        await using var server = serverMedia.CreatePeerConnection();
        await using var client = clientMedia.CreatePeerConnection();
        client.SetAnswer(server.CreateAnswer(client.CreateOffer()));
        for (var until = DateTime.UtcNow.AddSeconds(20); server.ConnectionState != PeerConnectionState.Connected
            || client.NegotiatedKeys is null; await Task.Delay(20, ct).ConfigureAwait(false))
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"The loopback pair did not connect: server {server.ConnectionState}, client {client.ConnectionState}.");
            }
        }

        using var source = new HostileMediaSource(client.NegotiatedKeys, client.Transceiver!.LocalSsrc, server.Transceiver!.LocalSsrc,
            (byte)server.Transceiver.PayloadType, seed);
        using var encoder = new VpxEncoder(new VpxEncoderOptions { Width = Width, Height = Height, BitrateKbps = 300 });
        var picture = I420Frame.Create(Width, Height);
        var target = serverMedia.LocalEndPoint;
        int frame = 0;
        async Task SendFramesAsync(int count, bool keyFirst)
        {
            for (int i = 0; i < count; i++, frame++)
            {
                LoopbackRun.Pattern(picture, frame);
                foreach (var encoded in encoder.Encode(picture, frame * 3600L, keyFirst && i == 0))
                {
                    foreach (var datagram in source.Frame(encoded.Data))
                    {
                        clientMedia.Send(datagram, target);
                    }
                }

                await Task.Delay(30, ct).ConfigureAwait(false);
            }
        }

        await SendFramesAsync(8, keyFirst: true);
        await Task.Delay(200, ct).ConfigureAwait(false);
        var before = server.GetStats();
        var portBefore = serverMedia.GetTotals();
        for (int i = 0; i < hostilePackets; i++)
        {
            clientMedia.Send(source.Next(out _), target);
            if (i % 200 == 199)
            {
                await SendFramesAsync(1, keyFirst: false); // honest frames keep arriving between the hostile ones
            }
            else if (i % 40 == 39)
            {
                await Task.Delay(2, ct).ConfigureAwait(false); // a flood, not a socket-buffer overflow
            }
        }

        await Task.Delay(1500, ct).ConfigureAwait(false); // past the frame-loss timeout and BouncyCastle's receive wait
        var afterFlood = server.GetStats();
        await SendFramesAsync(25, keyFirst: true);
        await Task.Delay(500, ct).ConfigureAwait(false);
        var end = server.GetStats();
        return new AuthenticatedFuzzResult(hostilePackets, source.RtpSealed, source.RtpUnsealable, source.RtcpSealed, source.DtlsRecords,
            before, afterFlood, end, server.ConnectionState, serverMedia.SocketHandlerErrors, portBefore, serverMedia.GetTotals())
        {
            DtlsSealed = source.DtlsSealed,
        };
    }
}
