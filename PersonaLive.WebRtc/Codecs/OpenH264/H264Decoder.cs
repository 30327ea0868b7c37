using PersonaLive.Media;

namespace PersonaLive.WebRtc.Codecs.OpenH264;

/// <summary>
/// H.264 decoder over OpenH264 2.3.1 (<c>DecodeFrameNoDelay</c>: one Annex B access unit in, its picture
/// out at once, no reordering delay, which Constrained Baseline never needs). Error concealment is off,
/// so a damaged or unreferenced frame is reported as false and the caller asks for an IDR instead of
/// showing smeared pictures. Pictures are owned by OpenH264 until the next call and are copied out into
/// a pooled <see cref="I420Frame"/> (<see cref="I420Frame.Rent"/>) that the caller disposes.
/// Not thread-safe.
/// </summary>
public sealed unsafe class H264Decoder : IVideoDecoder
{
    private const int MaxDimension = 4096;
    private readonly OpenH264DecoderHandle _decoder;

    public H264Decoder()
    {
        _decoder = OpenH264DecoderHandle.Create();
        try
        {
            int quiet = OpenH264Layout.TraceLevelQuiet;
            OpenH264Status.Check(OpenH264Native.DecSetOption(_decoder.Object, OpenH264Layout.DecoderOptionTraceLevel, &quiet), "SetOption(TRACE_LEVEL)");
            var param = new DecodingParam
            {
                ErrorConcealment = OpenH264Layout.ErrorConcealmentDisabled,
                VideoPropertySize = 8,
                BitstreamType = OpenH264Layout.BitstreamAvc,
            };
            OpenH264Status.Check(OpenH264Native.DecInitialize(_decoder.Object, &param), "Initialize");
            _decoder.IsInitialized = true;
        }
        catch
        {
            _decoder.Dispose();
            throw;
        }
    }

    /// <summary>Decodes one Annex B access unit; false when it carried a bitstream error or produced no picture.</summary>
    public bool TryDecode(ReadOnlySpan<byte> frame, out I420Frame? picture)
    {
        picture = null;
        if (frame.IsEmpty)
        {
            return false;
        }

        byte** planes = stackalloc byte*[3];
        var info = default(BufferInfo);
        int state;
        fixed (byte* data = frame)
        {
            state = OpenH264Native.DecDecodeFrameNoDelay(_decoder.Object, data, frame.Length, planes, &info);
        }

        if (!OpenH264Status.CheckDecoding(state, "DecodeFrameNoDelay") || info.BufferStatus != 1)
        {
            return false;
        }

        picture = CopyOut(in info);
        return picture is not null;
    }

    private static I420Frame? CopyOut(in BufferInfo info)
    {
        int w = info.Width, h = info.Height, sy = info.StrideLuma, sc = info.StrideChroma;
        if (w <= 0 || h <= 0 || w > MaxDimension || h > MaxDimension || sy < w || sc < (w + 1) / 2
            || info.PlaneY is null || info.PlaneU is null || info.PlaneV is null)
        {
            return null;
        }

        int cw = (w + 1) / 2, ch = (h + 1) / 2;
        var picture = I420Frame.Rent(w, h);
        I420Frame.CopyPlane(new ReadOnlySpan<byte>(info.PlaneY, sy * (h - 1) + w), sy, picture.Y, picture.StrideY, w, h);
        I420Frame.CopyPlane(new ReadOnlySpan<byte>(info.PlaneU, sc * (ch - 1) + cw), sc, picture.U, picture.StrideU, cw, ch);
        I420Frame.CopyPlane(new ReadOnlySpan<byte>(info.PlaneV, sc * (ch - 1) + cw), sc, picture.V, picture.StrideV, cw, ch);
        return picture;
    }

    public void Dispose() => _decoder.Dispose();
}
