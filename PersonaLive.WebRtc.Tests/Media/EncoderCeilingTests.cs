using PersonaLive.Media;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.Vp8;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>
/// The sender's encoders never spend more than a picture size is worth: a 256x256 echo or a 512x512
/// animation asked for the configured maximum gets the size's ceiling instead, and the lower bound wins
/// when the ceiling would fall under it.
/// </summary>
public sealed class EncoderCeilingTests
{
    [Theory]
    [InlineData(160, 120, 600)]
    [InlineData(256, 256, 600)]
    [InlineData(320, 240, 600)]
    [InlineData(512, 512, 1700)]
    [InlineData(640, 480, 1700)]
    [InlineData(960, 540, 2000)]
    [InlineData(1280, 720, 2500)]
    public void Each_size_has_the_ceiling_of_its_class(int width, int height, int kbps) =>
        Assert.Equal(kbps, VideoEncoderOptions.CeilingKbps(width, height));

    [Fact]
    public void A_vp8_encoder_from_the_codec_seam_stays_under_its_size_ceiling_however_high_the_target()
    {
        VpxTests.SkipWithoutLibvpx();
        using var encoder = Vp8VideoCodec.Instance.CreateEncoder(new VideoEncoderSettings(256, 256, 2000, 150, 2500, -8, 1));
        Assert.Equal(600, encoder.BitrateKbps);
        Assert.True(encoder.TrySetBitrate(2500));
        Assert.Equal(600, encoder.BitrateKbps);
        Assert.True(encoder.TrySetBitrate(400));
        Assert.Equal(400, encoder.BitrateKbps);

        Assert.True(encoder.TrySetBitrate(2500));
        using var uncapped = new Codecs.Vpx.VpxEncoder(new Codecs.Vpx.VpxEncoderOptions { Width = 256, Height = 256, BitrateKbps = 2500, MaxBitrateKbps = 2500 });
        double capped = Kbps((f, pts, key) => encoder.TryEncode(f, pts, key, out var d, out _) ? d.Length : 0);
        double free = Kbps((f, pts, key) => uncapped.TryEncode(f, pts, key, out var d, out _) ? d.Length : 0);
        Assert.InRange(capped, 100, 600 * 1.25);
        Assert.True(free > 1.5 * capped, $"uncapped {free:0} kb/s, capped {capped:0} kb/s: the content does not need more than the ceiling");
    }

    /// <summary>Bitrate of 90 frames (3 s at 30 fps) of a detailed moving pattern through <paramref name="encode"/>.</summary>
    private static double Kbps(Func<I420Frame, long, bool, int> encode)
    {
        var picture = I420Frame.Create(256, 256);
        long bytes = 0;
        for (int i = 0; i < 90; i++)
        {
            Fill(picture, i);
            bytes += encode(picture, i * 3000L, i == 0);
        }

        return bytes * 8.0 / 3 / 1000;
    }

    [Fact]
    public void The_lower_bound_wins_over_a_ceiling_below_it()
    {
        VpxTests.SkipWithoutLibvpx();
        using var encoder = Vp8VideoCodec.Instance.CreateEncoder(new VideoEncoderSettings(160, 120, 900, 800, 2500, -8, 1));
        Assert.Equal(800, encoder.BitrateKbps);
        Assert.True(encoder.TrySetBitrate(2500));
        Assert.Equal(800, encoder.BitrateKbps);
    }

    /// <summary>A noisy moving pattern: enough detail that the encoder would take far more than 600 kb/s if allowed.</summary>
    private static void Fill(I420Frame f, int t)
    {
        var random = new Random(t);
        for (int y = 0; y < f.Height; y++)
        {
            for (int x = 0; x < f.Width; x++)
            {
                f.Buffer[y * f.StrideY + x] = (byte)(((x + 3 * t) ^ (y - 2 * t)) + random.Next(12));
            }
        }
    }
}
