using PersonaLive.Web.Live.Media;

namespace PersonaLive.Web.Live.GoLive;

/// <summary>
/// Follows one peer's connection state for a Go live attempt: whether it connected in time, and when it
/// dropped (Disconnected, Failed or Closed: a publish to a server has no one to wait for, so a lost
/// consent is the signal to reconnect). Subscribed before negotiation so no change is missed.
/// </summary>
internal sealed class PeerStateWatch
{
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<MediaPeerState> _dropped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public PeerStateWatch(ILiveMediaPeer peer)
    {
        ArgumentNullException.ThrowIfNull(peer);
        peer.ConnectionStateChanged += On;
        On(peer.State);
    }

    private void On(MediaPeerState state)
    {
        if (state == MediaPeerState.Connected) _connected.TrySetResult();
        if (state is MediaPeerState.Disconnected or MediaPeerState.Failed or MediaPeerState.Closed) _dropped.TrySetResult(state);
    }

    /// <summary>True once connected; false after <paramref name="timeout"/> or when it dropped first.</summary>
    public async Task<bool> ConnectedAsync(TimeSpan timeout, TimeProvider time, CancellationToken ct)
    {
        var first = await Task.WhenAny(_connected.Task, _dropped.Task, Task.Delay(timeout, time, ct)).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        return first == _connected.Task;
    }

    /// <summary>Completes with the state the peer dropped to.</summary>
    public Task<MediaPeerState> DroppedAsync(CancellationToken ct) => _dropped.Task.WaitAsync(ct);
}
