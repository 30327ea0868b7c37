namespace PersonaLive.WebRtc.Codecs;

/// <summary>
/// The codec seam of the receiver and sender parts of a peer connection: a factory for the four pieces
/// that depend on the codec (frame assembler and decoder on receive, encoder and packetiser on send).
/// The rest (SRTP, RTP statistics, NACK, RTCP, pacing budget) is codec-independent. Only VP8
/// (<see cref="Vp8.Vp8VideoCodec"/>) is implemented; a second codec adds its own implementation.
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
