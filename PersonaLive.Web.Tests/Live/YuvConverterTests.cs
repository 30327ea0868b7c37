using PersonaLive.Inference.Imaging;
using PersonaLive.Media;
using PersonaLive.Web.Live.Imaging;

namespace PersonaLive.Web.Tests.Live;

/// <summary>BT.601 limited range: known colours both ways, strides honoured, round trip close.</summary>
public sealed class YuvConverterTests
{
    // Reference values of the BT.601 limited-range matrix (Y 16..235, Cb/Cr 16..240).
    public static TheoryData<byte, byte, byte, byte, byte, byte> KnownColours => new()
    {
        { 0, 0, 0, 16, 128, 128 },       // black
        { 255, 255, 255, 235, 128, 128 }, // white
        { 255, 0, 0, 82, 90, 240 },      // red
        { 0, 255, 0, 145, 54, 34 },      // green
        { 0, 0, 255, 41, 240, 110 },     // blue
        { 128, 128, 128, 126, 128, 128 }, // mid grey
    };

    [Theory]
    [MemberData(nameof(KnownColours))]
    public void Rgba_to_i420_gives_bt601_limited_range(byte r, byte g, byte b, byte y, byte u, byte v)
    {
        using var rgba = Solid(4, 4, r, g, b);
        using var i420 = YuvConverter.ToI420(rgba);
        Assert.All(i420.Y.ToArray(), value => Assert.InRange(value, y - 1, y + 1));
        Assert.All(i420.U.ToArray(), value => Assert.InRange(value, u - 1, u + 1));
        Assert.All(i420.V.ToArray(), value => Assert.InRange(value, v - 1, v + 1));
    }

    [Theory]
    [MemberData(nameof(KnownColours))]
    public void I420_to_rgba_gives_back_the_colour(byte r, byte g, byte b, byte y, byte u, byte v)
    {
        using var i420 = I420Frame.Rent(6, 4);
        i420.Y.Fill(y); i420.U.Fill(u); i420.V.Fill(v);
        using var rgba = YuvConverter.ToRgba(i420);
        for (var p = 0; p < 6 * 4; p++)
        {
            Assert.InRange(rgba.Pixels[p * 4], r - 2, r + 2);
            Assert.InRange(rgba.Pixels[p * 4 + 1], g - 2, g + 2);
            Assert.InRange(rgba.Pixels[p * 4 + 2], b - 2, b + 2);
            Assert.Equal(255, rgba.Pixels[p * 4 + 3]);
        }
    }

    [Fact]
    public void Padded_strides_and_odd_sizes_are_read_row_by_row()
    {
        // 5x3 picture with stride 8 (luma) and 4 (chroma): padding bytes are 0 and must never show up.
        const int w = 5, h = 3, sy = 8, sc = 4;
        using var padded = new I420Frame(w, h, sy, sc, sc, new byte[sy * h + 2 * sc * 2]);
        for (var row = 0; row < h; row++) for (var x = 0; x < w; x++) padded.Y[row * sy + x] = 235;
        for (var row = 0; row < 2; row++) for (var x = 0; x < 3; x++) { padded.U[row * sc + x] = 128; padded.V[row * sc + x] = 128; }

        using var rgba = YuvConverter.ToRgba(padded);
        Assert.All(rgba.Pixels.ToArray(), value => Assert.Equal(255, value));

        using var copy = I420Frame.Rent(w, h);
        padded.CopyTo(copy);
        Assert.All(copy.Y.ToArray(), value => Assert.Equal(235, value));
        Assert.Equal(3 * 2, copy.U.Length);
    }

    [Fact]
    public void Round_trip_of_a_gradient_stays_close()
    {
        using var rgba = new RgbaImage(64, 48);
        var px = rgba.Pixels;
        for (var yy = 0; yy < 48; yy++)
            for (var x = 0; x < 64; x++)
            {
                var o = (yy * 64 + x) * 4;
                // Smooth content (as in camera images): chroma subsampling loses little.
                px[o] = (byte)(x * 4); px[o + 1] = (byte)(yy * 5); px[o + 2] = (byte)(255 - x * 2); px[o + 3] = 255;
            }
        using var i420 = YuvConverter.ToI420(rgba);
        using var back = YuvConverter.ToRgba(i420);
        var worst = 0;
        for (var i = 0; i < px.Length; i++) worst = Math.Max(worst, Math.Abs(px[i] - back.Pixels[i]));
        Assert.InRange(worst, 0, 12);
    }

    [Fact]
    public void Frame_rejects_buffers_and_strides_smaller_than_the_size()
    {
        Assert.Throws<ArgumentException>(() => new I420Frame(4, 4, 4, 2, 2, new byte[23]));
        Assert.Throws<ArgumentException>(() => new I420Frame(4, 4, 3, 2, 2, new byte[24]));
    }

    private static RgbaImage Solid(int w, int h, byte r, byte g, byte b)
    {
        var img = new RgbaImage(w, h);
        for (var i = 0; i < w * h; i++) { img.Pixels[i * 4] = r; img.Pixels[i * 4 + 1] = g; img.Pixels[i * 4 + 2] = b; img.Pixels[i * 4 + 3] = 255; }
        return img;
    }
}
