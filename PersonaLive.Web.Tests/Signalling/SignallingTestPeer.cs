using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.WebRtc.PeerConnection;

namespace PersonaLive.Web.Tests.Signalling;

/// <summary>Our own WebRTC stack in the offering role on its own socket (loopback unless told): a WHIP publisher (sendonly) or a WHEP player (recvonly).</summary>
internal sealed class SignallingTestPeer : IAsyncDisposable
{
    private readonly RtcMediaServer _media;
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _decoded;

    public SignallingTestPeer(string bindAddress = "127.0.0.1")
    {
        _media = new RtcMediaServer(new RtcOptions { MediaPort = 0, BindAddress = bindAddress }, NullLoggerFactory.Instance);
        Peer = _media.CreatePeerConnection();
        Peer.ConnectionStateChanged += (_, s) =>
        {
            if (s == PeerConnectionState.Connected) _connected.TrySetResult();
            else if (s is PeerConnectionState.Failed or PeerConnectionState.Closed) _connected.TrySetException(new InvalidOperationException($"The test peer went {s}."));
        };
        Peer.FrameDecoded += (_, _) => Interlocked.Increment(ref _decoded);
    }

    public RtcPeerConnection Peer { get; }

    public long FramesDecoded => Interlocked.Read(ref _decoded);

    public Task Connected => _connected.Task;

    public async ValueTask DisposeAsync()
    {
        await Peer.DisposeAsync();
        await _media.DisposeAsync();
    }
}
