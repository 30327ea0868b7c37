using PersonaLive.Media;
using PersonaLive.TestSupport;

namespace PersonaLive.Web.Tests.Network;

/// <summary>
/// The frame number drawn into the lab client's camera frames reads back after the scaling both echo
/// servers apply (320x240 to 256x256), and a picture without a clean marker reads as none rather than
/// as a wrong number (a wrong number would be a wrong latency sample).
/// </summary>
public sealed class FrameMarkerTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(12345)]
    [InlineData(65535)]
    public void A_stamped_number_reads_back_after_scaling_to_256(int number)
    {
        using var camera = I420Frame.Create(320, 240);
        camera.Fill(120, 128, 128);
        FrameMarker.Stamp(camera, number);
        using var output = Scale(camera, 256, 256);
        Assert.Equal(number, FrameMarker.Read(output));
    }

    [Fact]
    public void A_picture_without_a_marker_or_with_a_damaged_one_reads_as_none()
    {
        using var plain = I420Frame.Create(256, 256);
        plain.Fill(120, 128, 128);
        Assert.Equal(-1, FrameMarker.Read(plain));

        using var damaged = I420Frame.Create(256, 256);
        damaged.Fill(120, 128, 128);
        FrameMarker.Stamp(damaged, 777);
        damaged.Y[..(256 * 40)].Fill(235); // both rows of every bit white: no bit disagrees with its inverse
        Assert.Equal(-1, FrameMarker.Read(damaged));
    }

    /// <summary>Nearest-neighbour scaling of the luma plane (chroma neutral), as the echo engine scales.</summary>
    private static I420Frame Scale(I420Frame source, int width, int height)
    {
        var target = I420Frame.Create(width, height);
        target.Fill(0, 128, 128);
        var y = target.Y;
        for (int row = 0; row < height; row++)
        {
            for (int col = 0; col < width; col++)
            {
                y[row * target.StrideY + col] = source.Y[row * source.Height / height * source.StrideY + col * source.Width / width];
            }
        }

        return target;
    }
}
