namespace PersonaLive.WebRtc.Codecs.Vpx;

/// <summary>
/// VP8 decoder over libvpx (ABI 12). Decoded pictures are owned by libvpx until the next call, so they
/// are copied row by row (the stride is wider than the width) into a managed <see cref="I420Frame"/>.
/// A corrupt frame is reported as false, never thrown, so the caller can ask for a keyframe.
/// Not thread-safe; dispose to free the native context.
/// </summary>
public sealed unsafe class VpxDecoder : IDisposable
{
    private const int MaxDimension = 4096;
    private readonly NativeBlockHandle _context;

    public VpxDecoder(int threads = 1)
    {
        _context = NativeBlockHandle.Allocate(VpxLayout.OpaqueBlockSize);
        var cfg = new VpxDecoderConfig { Threads = (uint)Math.Max(1, threads) }; // w, h = 0: taken from the stream
        try
        {
            VpxStatus.Check(VpxNative.vpx_codec_dec_init_ver(_context.Pointer, VpxNative.vpx_codec_vp8_dx(), &cfg, 0, VpxLayout.DecoderAbiVersion), "vpx_codec_dec_init_ver");
            _context.IsCodecInitialized = true;
        }
        catch
        {
            _context.Dispose();
            throw;
        }
    }

    /// <summary>Decodes one frame; false when libvpx rejects it or produced no picture.</summary>
    public bool TryDecode(ReadOnlySpan<byte> frame, out I420Frame? picture)
    {
        picture = null;
        if (frame.IsEmpty)
        {
            return false;
        }

        byte* ctx = _context.Pointer;
        fixed (byte* data = frame)
        {
            if (VpxNative.vpx_codec_decode(ctx, data, (uint)frame.Length, null, 0) != 0)
            {
                return false;
            }
        }

        nint iter = 0;
        VpxImage* img;
        while ((img = VpxNative.vpx_codec_get_frame(ctx, &iter)) is not null)
        {
            picture = CopyOut(img);
        }

        return picture is not null;
    }

    private static I420Frame? CopyOut(VpxImage* img)
    {
        int w = (int)img->DisplayWidth, h = (int)img->DisplayHeight;
        if (img->Format != VpxLayout.ImgFmtI420 || w <= 0 || h <= 0 || w > MaxDimension || h > MaxDimension
            || img->StrideY < w || img->StrideU < (w + 1) / 2 || img->StrideV < (w + 1) / 2)
        {
            return null;
        }

        int ch = (h + 1) / 2;
        int sy = img->StrideY, su = img->StrideU, sv = img->StrideV;
        var buffer = new byte[sy * h + (su + sv) * ch];
        new ReadOnlySpan<byte>(img->PlaneY, sy * h).CopyTo(buffer);
        new ReadOnlySpan<byte>(img->PlaneU, su * ch).CopyTo(buffer.AsSpan(sy * h));
        new ReadOnlySpan<byte>(img->PlaneV, sv * ch).CopyTo(buffer.AsSpan(sy * h + su * ch));
        return new I420Frame(w, h, sy, su, sv, buffer);
    }

    public void Dispose() => _context.Dispose();
}
