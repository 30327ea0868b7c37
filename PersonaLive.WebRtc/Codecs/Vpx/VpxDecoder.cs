using PersonaLive.Media;

namespace PersonaLive.WebRtc.Codecs.Vpx;

/// <summary>
/// VP8 decoder over libvpx (ABI 12). Decoded pictures are owned by libvpx until the next call, so they
/// are copied row by row (the stride is wider than the width) into a pooled, tightly packed
/// <see cref="I420Frame"/> (<see cref="I420Frame.Rent"/>: no garbage per frame); the caller disposes it.
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

    /// <summary>Decodes one frame; false when libvpx rejects it or produced no picture. The caller owns (disposes) the picture.</summary>
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
            picture?.Dispose();
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

        int cw = (w + 1) / 2, ch = (h + 1) / 2;
        int sy = img->StrideY, su = img->StrideU, sv = img->StrideV;
        var picture = I420Frame.Rent(w, h);
        I420Frame.CopyPlane(new ReadOnlySpan<byte>(img->PlaneY, sy * (h - 1) + w), sy, picture.Y, picture.StrideY, w, h);
        I420Frame.CopyPlane(new ReadOnlySpan<byte>(img->PlaneU, su * (ch - 1) + cw), su, picture.U, picture.StrideU, cw, ch);
        I420Frame.CopyPlane(new ReadOnlySpan<byte>(img->PlaneV, sv * (ch - 1) + cw), sv, picture.V, picture.StrideV, cw, ch);
        return picture;
    }

    public void Dispose() => _context.Dispose();
}
