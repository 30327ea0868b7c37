using PersonaLive.WebRtc.Rtp.H264;
using PersonaLive.WebRtc.Sdp;

namespace PersonaLive.WebRtc.Codecs.OpenH264;

/// <summary>
/// H.264 behind the codec seam, for one negotiated format (<see cref="H264Format"/>):
/// <see cref="H264AccessUnitAssembler"/> and <see cref="H264Packetiser"/> (RFC 6184, in the agreed
/// packetization-mode) for the RTP payload format, OpenH264 (<see cref="H264Decoder"/>,
/// <see cref="H264Encoder"/>) for the bitstream. What H.264 needs beyond VP8 stays inside these parts:
/// the encoder puts SPS and PPS before every IDR and makes an IDR when the sender forces a keyframe
/// (PLI, FIR, a new viewer); the assembler keeps the last parameter sets for an IDR that comes without
/// them and asks for a keyframe through <see cref="IRtpFrameAssembler.KeyframeNeeded"/> (RFC 6184
/// section 8.1 for the level we send, RFC 6184 section 6.2 for mode 0's NAL size limit).
/// </summary>
public sealed class H264VideoCodec(H264Format format) : IVideoCodec
{
    /// <summary>Largest RTP payload we write, as for VP8 (room for RTP header and SRTP tag in a 1200-byte datagram).</summary>
    public const int MaxPayloadSize = 1100;

    public string Name => "H264";

    /// <summary>The negotiated packetization-mode and profile-level-ids.</summary>
    public H264Format Format { get; } = format ?? throw new ArgumentNullException(nameof(format));

    public IRtpFrameAssembler CreateAssembler(int lossTimeoutMs) => new H264AccessUnitAssembler(lossTimeoutMs);

    public IVideoDecoder CreateDecoder() => new H264Decoder();

    public IRtpPacketizer CreatePacketizer() => new H264Packetiser(Format.PacketizationMode, MaxPayloadSize);

    /// <summary>The realtime encoder at the level we may send; in packetization-mode 0 every NAL unit must fit one payload.</summary>
    public IVideoEncoder CreateEncoder(VideoEncoderSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new H264EncoderOptions
        {
            LevelIdc = Format.SendLevelIdc,
            MaxNalSize = Format.PacketizationMode == 1 ? 0 : MaxPayloadSize,
        };
        options.Apply(settings);
        return new CodecEncoderAdapter<OpenH264Exception>(new H264Encoder(options));
    }
}
