using PersonaLive.Web.Live.Media;

namespace PersonaLive.Web.Live.Pipeline;

/// <summary>The session's viewers: share-link players (WHEP) and Go live publishes, all fed from the one encoded output.</summary>
internal sealed partial class LiveSession
{
    /// <summary>Adds a viewer fed with the output in its negotiated codec (the host encodes once per codec in use); forces a keyframe.</summary>
    public string AddViewer(string viewerId, ILiveMediaPeer viewer, string offerSdp)
    {
        var answer = viewer.CreateAnswer(offerSdp);
        AttachViewer(viewerId, viewer);
        return answer;
    }

    /// <summary>Adds an already negotiated viewer (our own offer, e.g. Go live to a WHIP server): fed like any viewer; forces a keyframe.</summary>
    public void AttachViewer(string viewerId, ILiveMediaPeer viewer)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        _host.EncodeAlsoFor(viewer);
        viewer.KeyframeRequested += _host.ForceKeyframe;
        _viewers[viewerId] = viewer;
        _metrics.ViewersChanged(1);
        _host.ForceKeyframe();
    }

    /// <summary>A viewer's connection state; null when no such viewer (left or removed).</summary>
    public MediaPeerState? ViewerState(string viewerId) => _viewers.TryGetValue(viewerId, out var viewer) ? viewer.State : null;

    /// <summary>Removes and disposes a viewer peer (left, link revoked, session ended).</summary>
    public async ValueTask RemoveViewerAsync(string viewerId)
    {
        if (!_viewers.TryRemove(viewerId, out var viewer)) return;
        viewer.KeyframeRequested -= _host.ForceKeyframe;
        _metrics.ViewersChanged(-1);
        await viewer.DisposeAsync().ConfigureAwait(false);
    }
}
