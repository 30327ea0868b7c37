using PersonaLive.Media;

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

    /// <summary>
    /// Encodes one picture at a 90 kHz presentation time (<paramref name="pts90k"/> increases; a codec may
    /// bump a repeated value). The output goes into a buffer the encoder reuses, so a frame costs no
    /// allocation: <paramref name="data"/> is valid until the next call or <see cref="IDisposable.Dispose"/>,
    /// and a caller that keeps it copies it. False when the codec produced no frame for this picture
    /// (then <paramref name="data"/> is empty). A codec that yields more than one frame per picture keeps the last.
    /// </summary>
    bool TryEncode(I420Frame frame, long pts90k, bool forceKeyframe, out ReadOnlyMemory<byte> data, out bool isKeyframe);
}

/// <summary>What the sender asks of a new encoder: size, bitrate bounds, speed and threads.</summary>
public sealed record VideoEncoderSettings(int Width, int Height, int BitrateKbps, int MinBitrateKbps, int MaxBitrateKbps, int CpuUsed, int Threads);
