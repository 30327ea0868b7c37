using PersonaLive.WebRtc.Codecs.OpenH264;
using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.Codecs.Vpx;
using PersonaLive.WebRtc.Rtp.H264;
using PersonaLive.WebRtc.Sdp;

namespace PersonaLive.WebRtc.Codecs;

/// <summary>
/// Builds the four codec parts of a transceiver for the negotiated codec: VP8 (RFC 7741 payload
/// descriptor, libvpx) or H.264 (RFC 6184 in the agreed packetization-mode, OpenH264 at the agreed
/// level). The peer connection only ever talks to the <see cref="IVideoEncoder"/>,
/// <see cref="IVideoDecoder"/>, <see cref="IVideoPacketiser"/> and <see cref="IVideoDepacketiser"/> seams.
/// </summary>
public static class VideoCodecFactory
{
    /// <summary>Largest RTP payload we write (leaves room for RTP header, extensions and SRTP tag in a 1200-byte datagram).</summary>
    public const int MaxPayloadSize = 1100;

    public static IVideoDepacketiser CreateDepacketiser(NegotiatedVideo video, int lossTimeoutMs) =>
        video.Codec == VideoCodec.H264 ? new H264AccessUnitAssembler(lossTimeoutMs) : new Vp8FrameAssembler(lossTimeoutMs);

    public static IVideoPacketiser CreatePacketiser(NegotiatedVideo video) =>
        video.Codec == VideoCodec.H264 ? new H264Packetiser(video.H264?.PacketizationMode ?? 0, MaxPayloadSize) : new Vp8Packetizer(MaxPayloadSize);

    public static IVideoDecoder CreateDecoder(VideoCodec codec) => codec == VideoCodec.H264 ? new H264Decoder() : new VpxDecoder();

    /// <summary>The realtime encoder; packetization-mode 0 caps every NAL unit at one payload.</summary>
    public static IVideoEncoder CreateEncoder(NegotiatedVideo? video, int width, int height, int bitrateKbps, int minKbps, int maxKbps, int vp8CpuUsed)
    {
        int threads = width * height >= 640 * 480 ? 2 : 1;
        if (video?.Codec == VideoCodec.H264)
        {
            return new H264Encoder(new H264EncoderOptions
            {
                Width = width,
                Height = height,
                BitrateKbps = bitrateKbps,
                MinBitrateKbps = minKbps,
                MaxBitrateKbps = maxKbps,
                LevelIdc = video.H264?.SendLevelIdc ?? 31,
                MaxNalSize = video.H264?.PacketizationMode == 1 ? 0 : MaxPayloadSize,
                Threads = threads,
            });
        }

        return new VpxEncoder(new VpxEncoderOptions
        {
            Width = width,
            Height = height,
            BitrateKbps = bitrateKbps,
            MinBitrateKbps = minKbps,
            MaxBitrateKbps = maxKbps,
            CpuUsed = vp8CpuUsed,
            Threads = threads,
        });
    }
}
