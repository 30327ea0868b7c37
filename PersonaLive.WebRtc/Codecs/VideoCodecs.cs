using PersonaLive.WebRtc.Codecs.OpenH264;
using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.Sdp;

namespace PersonaLive.WebRtc.Codecs;

/// <summary>
/// Picks the codec seam implementation for a negotiated video m-line: <see cref="Vp8VideoCodec"/> or an
/// <see cref="H264VideoCodec"/> for the agreed H.264 format. The receiver and sender parts take the
/// result and never look at the codec name again.
/// </summary>
public static class VideoCodecs
{
    public static IVideoCodec For(NegotiatedVideo video)
    {
        ArgumentNullException.ThrowIfNull(video);
        return video.Codec switch
        {
            VideoCodec.H264 => new H264VideoCodec(video.H264 ?? throw new ArgumentException("H.264 was negotiated without its format.", nameof(video))),
            _ => Vp8VideoCodec.Instance,
        };
    }
}
