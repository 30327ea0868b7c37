namespace PersonaLive.WebRtc.Codecs;

/// <summary>
/// The codec seam of the receiver and sender parts of a peer connection: a factory for the four pieces
/// that depend on the codec (frame assembler and decoder on receive, encoder and packetiser on send).
/// The rest (SRTP, RTP statistics, NACK, RTCP, pacing budget) is codec-independent. Implemented by
/// <see cref="Vp8.Vp8VideoCodec"/> and <see cref="OpenH264.H264VideoCodec"/>; <see cref="VideoCodecs.For"/>
/// picks one from the negotiated m-line.
/// </summary>
public interface IVideoCodec
{
    /// <summary>The rtpmap encoding name (e.g. VP8).</summary>
    string Name { get; }

    IRtpFrameAssembler CreateAssembler(int lossTimeoutMs);

    IVideoDecoder CreateDecoder();

    IRtpPacketizer CreatePacketizer();

    IVideoEncoder CreateEncoder(VideoEncoderSettings settings);
}
