using PersonaLive.Media;

namespace PersonaLive.WebRtc.Codecs;

/// <summary>What the codec-specific encoder classes (<c>VpxEncoder</c>, <c>H264Encoder</c>) have in common; their bitrate change throws the codec's own exception.</summary>
internal interface ICodecEncoder : IDisposable
{
    int Width { get; }

    int Height { get; }

    int BitrateKbps { get; }

    void SetBitrate(int kbps);

    bool TryEncode(I420Frame frame, long pts90k, bool forceKeyframe, out ReadOnlyMemory<byte> data, out bool isKeyframe);
}

/// <summary>
/// A codec's encoder behind the <see cref="IVideoEncoder"/> seam: size, bitrate and encoding are
/// forwarded as they are (no allocation per frame), and a bitrate change the codec refuses with
/// <typeparamref name="TCodecException"/> becomes false, so the sender keeps the old rate. The encoder
/// classes stay usable on their own, with their own exceptions.
/// </summary>
internal sealed class CodecEncoderAdapter<TCodecException>(ICodecEncoder inner) : IVideoEncoder
    where TCodecException : Exception
{
    public int Width => inner.Width;

    public int Height => inner.Height;

    public int BitrateKbps => inner.BitrateKbps;

    public bool TrySetBitrate(int kbps)
    {
        try
        {
            inner.SetBitrate(kbps);
            return true;
        }
        catch (TCodecException)
        {
            return false;
        }
    }

    public bool TryEncode(I420Frame frame, long pts90k, bool forceKeyframe, out ReadOnlyMemory<byte> data, out bool isKeyframe) =>
        inner.TryEncode(frame, pts90k, forceKeyframe, out data, out isKeyframe);

    public void Dispose() => inner.Dispose();
}
