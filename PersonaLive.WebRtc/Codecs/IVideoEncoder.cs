using PersonaLive.WebRtc.Codecs.Vpx;

namespace PersonaLive.WebRtc.Codecs;

/// <summary>
/// Encodes I420 pictures of one fixed size for one outgoing stream; the sender part re-creates it when
/// the size changes and calls it under its encode lock. VP8: libvpx (<c>VpxEncoder</c>); H.264: OpenH264 (<c>H264Encoder</c>).
/// </summary>
public interface IVideoEncoder : IDisposable
{
    int Width { get; }

    int Height { get; }

    /// <summary>The bitrate the encoder runs at (kb/s).</summary>
    int BitrateKbps { get; }

    /// <summary>Changes the target bitrate (clamped to the encoder's bounds); false when the codec refused (the old rate stays).</summary>
    bool TrySetBitrate(int kbps);

    /// <summary>Encodes one picture at a 90 kHz presentation time; zero or more frames come out.</summary>
    IReadOnlyList<EncodedFrame> Encode(I420Frame frame, long pts90k, bool forceKeyframe);
}

/// <summary>What the sender asks of a new encoder: size, bitrate bounds, speed and threads.</summary>
public sealed record VideoEncoderSettings(int Width, int Height, int BitrateKbps, int MinBitrateKbps, int MaxBitrateKbps, int CpuUsed, int Threads);
