using PersonaLive.Media;
using PersonaLive.WebRtc.Codecs.Vpx;

namespace PersonaLive.WebRtc.Codecs.Vp8;

/// <summary>
/// VP8 behind the codec seam: <see cref="Vp8FrameAssembler"/> and <see cref="Vp8Packetizer"/> (RFC 7741)
/// for the RTP payload format, libvpx (<see cref="VpxDecoder"/>, <see cref="VpxEncoder"/>) for the bitstream.
/// The adapters only forward (no allocation per frame), so the codec classes stay usable on their own.
/// </summary>
public sealed class Vp8VideoCodec : IVideoCodec
{
    public static Vp8VideoCodec Instance { get; } = new();

    public string Name => "VP8";

    public IRtpFrameAssembler CreateAssembler(int lossTimeoutMs) => new Vp8FrameAssembler(lossTimeoutMs);

    public IVideoDecoder CreateDecoder() => new Decoder(new VpxDecoder());

    public IRtpPacketizer CreatePacketizer() => new Packetizer(new Vp8Packetizer());

    public IVideoEncoder CreateEncoder(VideoEncoderSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new VpxEncoderOptions { CpuUsed = settings.CpuUsed };
        options.Apply(settings);
        return new CodecEncoderAdapter<VpxException>(new VpxEncoder(options));
    }

    /// <summary>Largest keyframe we decode: 4096x2304 pixels, above any camera a browser sends.</summary>
    public const int MaxDecodePixels = 4096 * 2304;

    /// <summary>
    /// True unless <paramref name="frame"/> starts like a keyframe (RFC 6386 section 9.1) without the start
    /// code or with a size above <see cref="MaxDecodePixels"/>: an authenticated peer could otherwise make
    /// libvpx allocate and decode 16383x16383 garbage, holding honest frames back.
    /// </summary>
    public static bool IsDecodableKeyframe(ReadOnlySpan<byte> frame) =>
        Vp8PayloadDescriptor.TryReadKeyframeSize(frame, out int width, out int height)
        && width > 0 && height > 0 && width * height <= MaxDecodePixels;

    private sealed class Decoder(VpxDecoder inner) : IVideoDecoder
    {
        public bool TryDecode(ReadOnlySpan<byte> frame, out I420Frame? picture)
        {
            // A refused keyframe reads as a decode failure: the receiver waits for (and asks for) the next one.
            if (frame.Length > 0 && (frame[0] & 1) == 0 && !IsDecodableKeyframe(frame))
            {
                picture = null;
                return false;
            }

            return inner.TryDecode(frame, out picture);
        }

        public void Dispose() => inner.Dispose();
    }

    private sealed class Packetizer(Vp8Packetizer inner) : IRtpPacketizer
    {
        public void Packetize(ReadOnlySpan<byte> frame, Span<byte> scratch, RtpPayloadSink emit) => inner.Packetize(frame, scratch, emit);
    }
}
