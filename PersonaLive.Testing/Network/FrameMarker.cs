using PersonaLive.Media;

namespace PersonaLive.TestSupport;

/// <summary>
/// A frame number drawn into the picture itself, so glass-to-glass latency can be measured through any
/// server that passes the picture on, scaled and re-encoded (ours with the echo engine, or aiortc): 16
/// bits as black/white blocks across the top tenth of the frame, and their inverse in the tenth below
/// (a read is valid only when every pair disagrees). The blocks are large (1/16 of the width) and flat,
/// so they survive scaling to 256x256 and VP8 at a few hundred kbit/s.
/// </summary>
internal static class FrameMarker
{
    private const int Bits = 16;

    /// <summary>Draws <paramref name="number"/> (low 16 bits) into the luma plane (chroma set neutral there).</summary>
    public static void Stamp(I420Frame frame, int number)
    {
        ArgumentNullException.ThrowIfNull(frame);
        int band = frame.Height / 10;
        for (int bit = 0; bit < Bits; bit++)
        {
            bool one = ((number >> bit) & 1) != 0;
            int x0 = bit * frame.Width / Bits, x1 = (bit + 1) * frame.Width / Bits;
            Fill(frame, x0, x1, 0, band, one ? (byte)235 : (byte)16);
            Fill(frame, x0, x1, band, 2 * band, one ? (byte)16 : (byte)235);
        }
    }

    /// <summary>The number drawn by <see cref="Stamp"/>, or -1 when the marker does not read cleanly.</summary>
    public static int Read(I420Frame frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        int band = frame.Height / 10, number = 0;
        for (int bit = 0; bit < Bits; bit++)
        {
            int cx = (2 * bit + 1) * frame.Width / (2 * Bits);
            int half = Math.Max(1, frame.Width / Bits / 4);
            double top = frame.MeanY(cx - half, band / 4, 2 * half, band / 2);
            double bottom = frame.MeanY(cx - half, band + band / 4, 2 * half, band / 2);
            bool one = top > 128, inverse = bottom > 128;
            if (one == inverse || Math.Abs(top - bottom) < 60) return -1;
            if (one) number |= 1 << bit;
        }

        return number;
    }

    private static void Fill(I420Frame frame, int x0, int x1, int y0, int y1, byte luma)
    {
        var y = frame.Y;
        for (int row = y0; row < y1; row++) y.Slice(row * frame.StrideY + x0, x1 - x0).Fill(luma);
        var u = frame.U;
        var v = frame.V;
        for (int row = y0 / 2; row < (y1 + 1) / 2; row++)
        {
            u.Slice(row * frame.StrideU + x0 / 2, (x1 - x0 + 1) / 2).Fill(128);
            v.Slice(row * frame.StrideV + x0 / 2, (x1 - x0 + 1) / 2).Fill(128);
        }
    }
}
