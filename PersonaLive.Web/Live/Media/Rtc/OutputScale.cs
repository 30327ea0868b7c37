using PersonaLive.Media;

namespace PersonaLive.Web.Live.Media.Rtc;

/// <summary>
/// Shrinks an output picture to the scale a peer connection's sender recommends
/// (<see cref="PersonaLive.WebRtc.PeerConnection.RtcPeerConnection.RecommendedScale"/>: 3/4 or 1/2 of width
/// and height when its bitrate estimate is below the resolution floor), so that a starved link gets fewer,
/// sharper pixels instead of a blurred full-size picture. The scaled picture is rented from the pool
/// (<see cref="I420Scaler"/>), so a frame costs no allocation; sizes are rounded down to even numbers
/// (I420 chroma is half size) and stay steady while the scale does, so the encoder is re-created only
/// when the ladder changes level (it holds a level for seconds before stepping up).
/// </summary>
internal static class OutputScale
{
    /// <summary>
    /// A pooled copy of <paramref name="frame"/> at <paramref name="scale"/> of its size, which the caller
    /// disposes; null when the scale asks for no reduction (send the frame as it is).
    /// </summary>
    public static I420Frame? Apply(I420Frame frame, double scale)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (!(scale > 0 && scale < 1)) return null;
        int width = Even(frame.Width * scale), height = Even(frame.Height * scale);
        if (width >= frame.Width && height >= frame.Height) return null;
        return I420Scaler.Scale(frame, width, height);
    }

    private static int Even(double size) => Math.Max(2, (int)size & ~1);
}
