using PersonaLive.WebRtc.Media;

namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// Keyframe requests against the keyframe already on its way (<see cref="KeyframeInFlight"/>): the sender
/// notes when it sent its last keyframe and how large it was, and a PLI or FIR that the receiver sent
/// before that keyframe could have reached it is answered by it instead of by another keyframe.
/// </summary>
internal sealed partial class VideoSender
{
    private long _lastKeyframeMs = long.MinValue;
    private int _lastKeyframeBytes;
    private long _keyframeRequestsCovered;

    /// <summary>Whether a keyframe request arriving now is covered by our last keyframe (executor); counted when it is.</summary>
    public bool KeyframeInFlightCovers(long nowMs, double? roundTripMs)
    {
        long sent = Interlocked.Read(ref _lastKeyframeMs);
        double queueMs = (_delay?.QueueDelayUs ?? 0) / 1000.0;
        if (!KeyframeInFlight.Covers(nowMs, sent, Volatile.Read(ref _lastKeyframeBytes), _pendingBitrateKbps, roundTripMs ?? 0, queueMs))
        {
            return false;
        }

        Interlocked.Increment(ref _keyframeRequestsCovered);
        return true;
    }

    /// <summary>Notes a keyframe just sent (encode lock).</summary>
    private void NoteKeyframeSent(int bytes)
    {
        Volatile.Write(ref _lastKeyframeBytes, bytes);
        Interlocked.Exchange(ref _lastKeyframeMs, Environment.TickCount64);
    }
}
