using System.Numerics;
using PersonaLive.Inference.Faces;
using PersonaLive.Inference.Imaging;
using PersonaLive.Inference.Tests.Support;

namespace PersonaLive.Inference.Tests.Faces;

/// <summary>
/// Detection and landmarks on skimage's astronaut portrait (512x512; by inspection her face spans about
/// x 170..280, y 55..190, eyes near y 105, mouth near y 145).
/// </summary>
public sealed class FaceTrackingTests
{
    private static void InRegion((float X, float Y) p, float x0, float y0, float x1, float y1, string what) =>
        Assert.True(p.X >= x0 && p.X <= x1 && p.Y >= y0 && p.Y <= y1, $"{what} at ({p.X:F1}, {p.Y:F1}) is outside [{x0},{x1}]x[{y0},{y1}].");

    [Fact]
    public async Task DetectorFindsExactlyOneFaceWithKeypointsOnHerFace()
    {
        using var models = await TestFaceModels.CreateAsync();
        using var image = await TestImages.AstronautAsync();
        using var detector = models.Detector();
        var faces = detector.Detect(image);
        var face = Assert.Single(faces);
        Assert.True(face.Score > 0.8f, $"score {face.Score}");
        InRegion((face.CenterX, face.CenterY), 190, 90, 260, 160, "box centre");
        InRegion(face.Keypoint(0), 180, 85, 222, 125, "right eye (image left)");
        InRegion(face.Keypoint(1), 225, 85, 265, 125, "left eye (image right)");
        InRegion(face.Keypoint(2), 205, 105, 240, 145, "nose tip");
        InRegion(face.Keypoint(3), 205, 130, 240, 165, "mouth");
    }

    [Fact]
    public async Task LandmarksLieInTheExpectedRegions()
    {
        using var models = await TestFaceModels.CreateAsync();
        using var image = await TestImages.AstronautAsync();
        using var tracker = models.Tracker();
        var pts = new Vector3[FaceLandmarker.PointCount];
        Assert.True(tracker.Track(image, pts));
        (float, float) P(int i) => (pts[i].X, pts[i].Y);
        InRegion(P(33), 175, 90, 215, 125, "right eye outer corner (33)");
        InRegion(P(263), 230, 90, 275, 125, "left eye outer corner (263)");
        InRegion(P(1), 205, 110, 240, 145, "nose tip (1)");
        InRegion(P(13), 205, 130, 242, 160, "upper inner lip (13)");
        InRegion(P(152), 195, 165, 250, 205, "chin (152)");
        Assert.True(pts[14].Y >= pts[13].Y - 1, "lower lip below upper lip");

        // Tracking: a second frame reuses the ROI from the landmarks and does not detect again.
        Assert.True(tracker.Track(image, pts));
        Assert.Equal(1, tracker.DetectorRuns);
    }

    [Theory]
    [InlineData(20f, 1f, 0f, 0f)]
    [InlineData(-25f, 0.8f, 20f, -10f)]
    [InlineData(0f, 0.7f, -30f, 25f)]
    [InlineData(10f, 1.2f, 0f, 10f)]
    public async Task RotatedAndScaledCopiesGiveConsistentlyTransformedLandmarks(float degrees, float scale, float dx, float dy)
    {
        using var models = await TestFaceModels.CreateAsync();
        using var image = await TestImages.AstronautAsync();
        var reference = new Vector3[FaceLandmarker.PointCount];
        using (var t = models.Tracker()) Assert.True(t.Track(image, reference));

        var (moved, forward) = TestImages.Transform(image, degrees, scale, dx, dy);
        using (moved)
        {
            var pts = new Vector3[FaceLandmarker.PointCount];
            using var t = models.Tracker();
            Assert.True(t.Track(moved, pts));
            Assert.True(t.Track(moved, pts)); // second pass: ROI from landmarks, as in live tracking
            double sum = 0;
            foreach (var i in Enumerable.Range(0, FaceLandmarker.PointCount))
            {
                var (ex, ey) = forward.Apply(reference[i].X, reference[i].Y);
                sum += Math.Sqrt((ex - pts[i].X) * (ex - pts[i].X) + (ey - pts[i].Y) * (ey - pts[i].Y));
            }
            var mean = sum / FaceLandmarker.PointCount;
            TestContext.Current.TestOutputHelper?.WriteLine($"mean landmark error {mean:F2} px");
            var eyes = Vector2.Distance(new(reference[33].X, reference[33].Y), new(reference[263].X, reference[263].Y)) * scale;
            // The model sees a resampled, differently rotated crop, so points move by a few percent of the
            // eye distance (about 1-3 px here); a wrong ROI rotation or projection would be off by tens of px.
            Assert.True(mean < 0.06 * eyes, $"mean landmark error {mean:F2} px vs eye distance {eyes:F1} px");
        }
    }

    [Fact]
    public async Task NoFaceInAPlainImage()
    {
        using var models = await TestFaceModels.CreateAsync();
        using var image = new RgbaImage(320, 240);
        image.Pixels.Fill(128);
        using var tracker = models.Tracker();
        Assert.False(tracker.Track(image, new Vector3[FaceLandmarker.PointCount]));
    }
}
