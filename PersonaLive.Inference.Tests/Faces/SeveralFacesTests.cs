using PersonaLive.Inference.Faces;
using PersonaLive.Inference.Imaging;
using PersonaLive.Inference.Tests.Support;

namespace PersonaLive.Inference.Tests.Faces;

/// <summary>A photo with two real faces: the largest is used and the person is told which and how to pick another.</summary>
public sealed class SeveralFacesTests
{
    [Fact]
    public async Task Two_faces_use_the_largest_and_say_which()
    {
        using var models = await TestFaceModels.CreateAsync();
        using var astronaut = await TestImages.AstronautAsync();
        // Two copies of her face side by side on a 768x512 canvas: enlarged 1.6x on the left, 1.1x on the right.
        using var pair = new RgbaImage(768, 512);
        foreach (var (scale, left) in new[] { (1.6f, 0), (1.1f, 384) })
        {
            using var half = new RgbaImage(384, 512);
            // half pixel -> astronaut pixel, her face centre (225, 120) landing at (192, 256)
            ImageSampler.ToRgba(astronaut, new Affine2(1 / scale, 0, 225 - 192 / scale, 0, 1 / scale, 120 - 256 / scale), half, clampToEdge: true);
            for (int y = 0; y < 512; y++)
                half.Pixels.Slice(y * 384 * 4, 384 * 4).CopyTo(pair.Pixels.Slice((y * 768 + left) * 4, 384 * 4));
        }

        using var detector = models.Detector();
        Assert.Equal(2, detector.Detect(pair).Count);
        var result = new PortraitPreparer(detector, models.Landmarker()).Prepare(ImageCodec.EncodePng(pair));
        Assert.True(result.Succeeded, result.Error);
        Assert.Equal("This photo has 2 faces; we used the largest, on the left. To animate another one, crop the photo to that face and upload it again.", result.Notice);

        using var one = await TestImages.AstronautAsync();
        Assert.Null(new PortraitPreparer(detector, models.Landmarker()).Prepare(ImageCodec.EncodePng(one)).Notice);
    }
}
