using PersonaLive.WebRtc.Codecs.Vpx;

namespace PersonaLive.WebRtc.Codecs.Vp8;

/// <summary>
/// VP8 behind the codec seam: <see cref="Vp8FrameAssembler"/> and <see cref="Vp8Packetizer"/> (RFC 7741)
/// for the RTP payload format, libvpx (<see cref="VpxDecoder"/>, <see cref="VpxEncoder"/>) for the bitstream.
/// The adapters only forward, so the codec classes stay usable on their own.
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
        return new Encoder(new VpxEncoder(new VpxEncoderOptions
        {
            Width = settings.Width,
            Height = settings.Height,
            BitrateKbps = settings.BitrateKbps,
            MinBitrateKbps = settings.MinBitrateKbps,
            MaxBitrateKbps = settings.MaxBitrateKbps,
            CpuUsed = settings.CpuUsed,
            Threads = settings.Threads,
        }));
    }

    private sealed class Decoder(VpxDecoder inner) : IVideoDecoder
    {
        public bool TryDecode(ReadOnlySpan<byte> frame, out I420Frame? picture) => inner.TryDecode(frame, out picture);

        public void Dispose() => inner.Dispose();
    }

    private sealed class Packetizer(Vp8Packetizer inner) : IRtpPacketizer
    {
        public void Packetize(ReadOnlySpan<byte> frame, Span<byte> scratch, RtpPayloadSink emit) =>
            inner.Packetize(frame, scratch, (payload, marker) => emit(payload, marker));
    }

    private sealed class Encoder(VpxEncoder inner) : IVideoEncoder
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
            catch (VpxException)
            {
                return false;
            }
        }

        public IReadOnlyList<EncodedFrame> Encode(I420Frame frame, long pts90k, bool forceKeyframe) => inner.Encode(frame, pts90k, forceKeyframe);

        public void Dispose() => inner.Dispose();
    }
}
