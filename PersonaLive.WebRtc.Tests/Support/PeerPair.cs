using Microsoft.Extensions.Logging;
using PersonaLive.WebRtc.Benchmarks;
using PersonaLive.WebRtc.PeerConnection;

namespace PersonaLive.WebRtc.Tests.Support;

/// <summary>Our server and our client (offerer), optionally through a <see cref="LossyUdpRelay"/>, for stack tests.</summary>
internal sealed class PeerPair : IAsyncDisposable
{
    public required RtcMediaServer ServerMedia { get; init; }
    public required RtcMediaServer ClientMedia { get; init; }
    public required RtcPeerConnection Server { get; init; }
    public required RtcPeerConnection Client { get; init; }
    public LossyUdpRelay? Relay { get; init; }

    public static RtcOptions Options(Action<RtcOptions>? configure = null)
    {
        var o = new RtcOptions { MediaPort = 0, BindAddress = "127.0.0.1" };
        configure?.Invoke(o);
        return o;
    }

    /// <summary>Negotiates (optionally munging the SDP) without waiting for the connection.</summary>
    public static PeerPair Create(ILoggerFactory logs, Func<string, string>? mungeOffer = null, Func<string, string>? mungeAnswer = null,
        double loss = 0, double duplicate = 0, Action<RtcOptions>? serverOptions = null, string direction = "sendrecv",
        Action<RtcOptions>? clientOptions = null, string? audioDirection = null)
    {
        var serverMedia = new RtcMediaServer(Options(serverOptions), logs);
        var clientMedia = new RtcMediaServer(Options(clientOptions), logs);
        var relay = loss > 0 || duplicate > 0 ? new LossyUdpRelay(serverMedia.LocalEndPoint, loss, 99, duplicate) : null;
        var server = serverMedia.CreatePeerConnection();
        var client = clientMedia.CreatePeerConnection();
        string offer = client.CreateOffer(direction, audioDirection: audioDirection);
        string answer = server.CreateAnswer(mungeOffer?.Invoke(offer) ?? offer);
        if (relay is not null)
        {
            answer = answer.Replace($" {serverMedia.LocalEndPoint.Port} typ host", $" {relay.ClientFacing.Port} typ host", StringComparison.Ordinal);
        }

        client.SetAnswer(mungeAnswer?.Invoke(answer) ?? answer);
        return new PeerPair { ServerMedia = serverMedia, ClientMedia = clientMedia, Server = server, Client = client, Relay = relay };
    }

    public static Task<PeerConnectionState> WaitForState(RtcPeerConnection pc, Func<PeerConnectionState, bool> done, TimeSpan timeout)
    {
        var tcs = new TaskCompletionSource<PeerConnectionState>(TaskCreationOptions.RunContinuationsAsynchronously);
        pc.ConnectionStateChanged += (_, s) =>
        {
            if (done(s))
            {
                tcs.TrySetResult(s);
            }
        };
        if (done(pc.ConnectionState))
        {
            tcs.TrySetResult(pc.ConnectionState);
        }

        return tcs.Task.WaitAsync(timeout, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Server.DisposeAsync();
        Relay?.Dispose();
        await ClientMedia.DisposeAsync();
        await ServerMedia.DisposeAsync();
    }
}
