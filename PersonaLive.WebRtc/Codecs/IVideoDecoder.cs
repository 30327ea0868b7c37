using PersonaLive.Media;

namespace PersonaLive.WebRtc.Codecs;

/// <summary>
/// Decodes complete frames of one codec to I420 pictures. One instance is used by one decode worker at
/// a time (native codec contexts are not thread-safe). VP8: libvpx (<c>VpxDecoder</c>); H.264: OpenH264 (<c>H264Decoder</c>).
/// </summary>
public interface IVideoDecoder : IDisposable
{
    /// <summary>
    /// Decodes one frame; false (and no picture) when the codec rejects it. The picture should come from
    /// <see cref="I420Frame.Rent"/> (no garbage per frame); the caller owns it and disposes it.
    /// </summary>
    bool TryDecode(ReadOnlySpan<byte> frame, out I420Frame? picture);
}
