using System.Numerics;
using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Faces;
using PersonaLive.Inference.Imaging;
using PersonaLive.Inference.Lite;
using PersonaLive.Inference.Tests.Support;

namespace PersonaLive.Inference.Tests.Lite;

/// <summary>
/// Drives the astronaut portrait with synthetic frames of known motion and measures the output with the
/// landmark model: head roll, translation and mouth opening must follow the driver; a still driver must
/// give a still output. Saves a before/after strip (artifacts/lite-motion-strip.png) for a person to judge.
/// </summary>
public sealed class MotionTransferTests
{
    /// <summary>
    /// How closely the landmark model must read a driver's applied roll (degrees) and face-centre shift (pixels of
    /// the 512 image). Measured on the four drivers: roll within 0.7 degrees, shift within 1.5 px (the opened jaw
    /// moves the model's reading of a few rigid points); the roll bound leaves about 2x for other ONNX Runtime builds.
    /// </summary>
    private const float TolRoll = 1.5f, TolShift = 2f;
    private const int HoldFrames = 20; // frames per pose: lets the One-Euro filter settle (lag < 1 % after 0.6 s)
    /// <summary>Landmark passes per measured image: the tracker's crop has settled after about ten (checked on the open-mouth drivers).</summary>
    private const int MeasurePasses = 12;

    private sealed record Measure(float Roll, Vector2 Centre, float Mouth, float Eyes);

    private static Measure Measured(Vector3[] p)
    {
        var a = p[FaceRoi.RightEyeOuter];
        var b = p[FaceRoi.LeftEyeOuter];
        var centre = Vector2.Zero;
        foreach (var i in RigidAlignment.RigidIndices) centre += new Vector2(p[i].X, p[i].Y);
        return new Measure(MathF.Atan2(b.Y - a.Y, b.X - a.X) * 180 / MathF.PI, centre / RigidAlignment.RigidIndices.Length,
            PortraitRig.MouthOpeningOf(p), PortraitRig.EyeDistanceOf(p));
    }

    private static Vector2 MeshCentre(ReadOnlySpan<Vector2> targets)
    {
        var c = Vector2.Zero;
        foreach (var i in RigidAlignment.RigidIndices) c += targets[i];
        return c / RigidAlignment.RigidIndices.Length;
    }

    private static async Task<(LiteEngineFactory Factory, PreparedPortrait Portrait, RgbaImage Astronaut)> SetUpAsync()
    {
        await TestData.ModelsAsync();
        var factory = new LiteEngineFactory(new EngineOptions { ModelDirectory = TestData.ModelDirectory }, NullLoggerFactory.Instance);
        await factory.WarmUpAsync(null, TestContext.Current.CancellationToken);
        var bytes = await File.ReadAllBytesAsync(await TestData.AstronautAsync(), TestContext.Current.CancellationToken);
        var result = await factory.PreparePortraitAsync(bytes, TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded, result.Error);
        return (factory, result.Portrait!, (await TestImages.AstronautAsync()));
    }

    private static RgbaImage Drive(IAnimationEngine engine, RgbaImage driver, ref long timeUs, int frames)
    {
        RgbaImage? last = null;
        for (var i = 0; i < frames; i++)
        {
            last?.Dispose();
            timeUs += 33_333;
            last = engine.Animate([new DrivingFrame(driver, timeUs)])[0].Image;
        }
        // Copy out of the pooled buffer.
        var copy = new RgbaImage(last!.Width, last.Height);
        last.Pixels.CopyTo(copy.Pixels);
        last.Dispose();
        return copy;
    }

    [Fact]
    public async Task OutputFollowsDriverRollTranslationAndMouthOpening()
    {
        var (factory, portrait, astronaut) = await SetUpAsync();
        using var _f = factory;
        using var models = await TestFaceModels.CreateAsync();
        using var measureTracker = models.Tracker();
        Measure Measure(RgbaImage img)
        {
            var p = new Vector3[FaceLandmarker.PointCount];
            // Tracked as the engine tracks a held frame: each pass crops by the last pass's landmarks, and an open
            // mouth moves the chin and so the crop, so two passes are not yet the reading the engine converges to.
            measureTracker.Reset();
            for (var pass = 0; pass < MeasurePasses; pass++) Assert.True(measureTracker.Track(img, p), "no face in measured image");
            return Measured(p);
        }

        var driverNeutralPts = new Vector3[FaceLandmarker.PointCount];
        using (var t = models.Tracker()) Assert.True(t.Track(astronaut, driverNeutralPts) && t.Track(astronaut, driverNeutralPts));

        using var engine = factory.CreateEngine();
        engine.SetPortrait(portrait);
        long time = 0;
        using var rest = Drive(engine, astronaut, ref time, HoldFrames);
        var restM = Measure(rest);
        var restMesh = MeshCentre(((LiteEngine)engine).CurrentTargets);
        var driverRestM = Measure(astronaut);
        var portraitM = Measure(portrait.Image);

        // Each driver with the roll (degrees) and the image transform it was made with (known ground truth).
        var cases = new List<(string Name, RgbaImage Driver, float Roll, Affine2 Known, bool Mouth)>();
        var (rolled, rolledKnown) = TestImages.Transform(astronaut, 15, 1, 0, 0);
        cases.Add(("roll +15", rolled, 15, rolledKnown, false));
        var (shifted, shiftedKnown) = TestImages.Transform(astronaut, -12, 1, 30, 15);
        cases.Add(("roll -12, shift", shifted, -12, shiftedKnown, false));
        using var opened = DriverSynth.OpenMouth(astronaut, driverNeutralPts, 0.35f);
        cases.Add(("mouth open", DriverSynth.OpenMouth(astronaut, driverNeutralPts, 0.35f), 0, Affine2.Identity, true));
        var (both, bothKnown) = TestImages.Transform(opened, -10, 1.05f, -10, 5);
        cases.Add(("roll -10, mouth open", both, -10, bothKnown, true));
        var rows = new List<IReadOnlyList<RgbaImage>> { new List<RgbaImage> { astronaut }, new List<RgbaImage> { rest } };
        var log = TestContext.Current.TestOutputHelper;
        log?.WriteLine($"portrait roll {portraitM.Roll:F1} mouth {portraitM.Mouth:F3}; rest output roll {restM.Roll:F1} mouth {restM.Mouth:F3}");

        var checks = new List<Action>(); // asserted after the strip is saved, so a failure can be looked at
        foreach (var (name, driver, roll, known, mouth) in cases)
        {
            var output = Drive(engine, driver, ref time, HoldFrames);
            ((List<RgbaImage>)rows[0]).Add(driver);
            ((List<RgbaImage>)rows[1]).Add(output);
            var dm = Measure(driver);
            var om = Measure(output);
            var driverRoll = dm.Roll - driverRestM.Roll;
            var outRoll = om.Roll - restM.Roll;
            var k = portraitM.Eyes / driverRestM.Eyes;
            var expectedShift = (dm.Centre - driverRestM.Centre) * k * Retargeter.TranslationGain;
            var outShift = om.Centre - restM.Centre;
            var driverMouth = dm.Mouth - driverRestM.Mouth;
            var outMouth = om.Mouth - restM.Mouth;
            // Where the known transform takes the driver's rest face centre (a similarity maps the centroid of the
            // rigid points to the centroid of their images).
            var (kx, ky) = known.Apply(driverRestM.Centre.X, driverRestM.Centre.Y);
            var knownShift = new Vector2(kx, ky) - driverRestM.Centre;
            var driverShift = dm.Centre - driverRestM.Centre;
            var tg = ((LiteEngine)engine).CurrentTargets;
            var meshMouth = Vector2.Distance(tg[13], tg[14]) / Vector2.Distance(tg[33], tg[263]);
            log?.WriteLine($"{name}: mesh shift {MeshCentre(tg) - restMesh}; mesh mouth {meshMouth:F3}; roll known {roll} driver {driverRoll:F2} output {outRoll:F1}; shift known {knownShift} driver {driverShift} " +
                $"(error {Vector2.Distance(driverShift, knownShift):F2} px) expected {expectedShift} output {outShift}; mouth driver {driverMouth:F3} output {outMouth:F3}");

            checks.Add(() =>
            {
                // The measurement itself: the landmark model must read the transform we applied.
                Assert.True(Math.Abs(driverRoll - roll) < TolRoll, $"{name}: driver measured roll {driverRoll:F2}, applied {roll}");
                Assert.True(Vector2.Distance(driverShift, knownShift) < TolShift, $"{name}: driver measured shift {driverShift}, applied {knownShift}");
                // The output against the known motion, with the tolerances below (the measured driver motion is
                // only an estimate of it; both must hold).
                Assert.True(Math.Abs(outRoll - roll) < 3, $"{name}: output roll {outRoll:F1} vs applied {roll}");
                // The engine sees the driver only through the landmark model, so its misreading of the driver's
                // centre (up to ~1 px with an opened jaw), carried to the portrait, is allowed on top.
                var knownExpected = knownShift * k * Retargeter.TranslationGain;
                var readError = Vector2.Distance(driverShift, knownShift) * k * Retargeter.TranslationGain;
                Assert.True(Vector2.Distance(outShift, knownExpected) < 0.2f * knownExpected.Length() + 3 + readError,
                    $"{name}: output shift {outShift} vs applied {knownExpected}");
                // Roll: the landmark model reads roll to ~1 degree; the retargeting carries the 3-D rotation
                // (small pitch/yaw leakage from the synthetic in-plane rotation), so 3 degrees is a tight bound.
                Assert.True(Math.Abs(outRoll - driverRoll) < 3, $"{name}: output roll {outRoll:F1} vs driver {driverRoll:F1}");
                // Translation: the face centre moves by the driver's centre motion, scaled to the portrait and
                // damped by TranslationGain; 20 % + 3 px allows for rotation about a different pivot and filter lag.
                Assert.True(Vector2.Distance(outShift, expectedShift) < 0.2f * expectedShift.Length() + 3,
                    $"{name}: output shift {outShift} vs expected {expectedShift}");
                if (mouth)
                {
                    // Mouth (lip gap per eye distance). The engine sees the driver only through the landmark
                    // model, so the mesh must open by the driver's measured amount (+-30 %: size ratio and
                    // filter). Re-reading the rendered output, the model under-reads painted mouths: on the
                    // synthetic driver it reads a 0.35 geometric opening as ~0.12 over its rest, and the output passes
                    // through that reading a second time, so the output reading must reach 40..140 % of the
                    // driver's. A mouth that did not open, or opened without the driver, fails both.
                    Assert.True(driverMouth > 0.1f, $"synthetic driver mouth did not open ({driverMouth:F3})");
                    Assert.InRange(meshMouth - portraitM.Mouth, 0.7f * driverMouth, 1.3f * driverMouth);
                    Assert.InRange(outMouth, 0.4f * driverMouth, 1.4f * driverMouth);
                }
                else Assert.True(Math.Abs(outMouth) < 0.05f, $"{name}: mouth changed by {outMouth:F3} without driver mouth motion");
            });
        }

        using var strip = Strip.Compose(rows, 256);
        TestImages.Save(strip, "lite-motion-strip.png");
        // README picture: portrait, driver, output (the last case).
        using var readme = Strip.Compose([new List<RgbaImage> { portrait.Image, rows[0][^1], rows[1][^1] }], 384);
        TestImages.Save(readme, "lite-before-after.png");
        foreach (var check in checks) check();
        foreach (var img in rows.SelectMany(r => r).Skip(0)) if (!ReferenceEquals(img, astronaut) && !ReferenceEquals(img, rest)) img.Dispose();
    }

    [Fact]
    public async Task ClosingTheDriversEyesClosesThePortraitsEyes()
    {
        var (factory, portrait, astronaut) = await SetUpAsync();
        using var _f = factory;
        using var _a = astronaut;
        using var models = await TestFaceModels.CreateAsync();
        using var tracker = models.Tracker();
        float Eyes(RgbaImage img)
        {
            var p = new Vector3[FaceLandmarker.PointCount];
            tracker.Reset();
            Assert.True(tracker.Track(img, p) && tracker.Track(img, p));
            return DriverSynth.EyeOpening(p);
        }
        var neutralPts = new Vector3[FaceLandmarker.PointCount];
        tracker.Reset();
        Assert.True(tracker.Track(astronaut, neutralPts) && tracker.Track(astronaut, neutralPts));
        using var closed = DriverSynth.CloseEyes(astronaut, neutralPts);

        using var engine = factory.CreateEngine();
        engine.SetPortrait(portrait);
        float MeshEyes()
        {
            var tg = ((LiteEngine)engine).CurrentTargets;
            return (Vector2.Distance(tg[159], tg[145]) + Vector2.Distance(tg[386], tg[374])) / 2 / Vector2.Distance(tg[33], tg[263]);
        }
        long time = 0;
        using var rest = Drive(engine, astronaut, ref time, HoldFrames);
        var meshOpen = MeshEyes();
        using var blink = Drive(engine, closed, ref time, HoldFrames);
        var meshClosed = MeshEyes();
        float driverOpen = Eyes(astronaut), driverClosed = Eyes(closed), outOpen = Eyes(rest), outClosed = Eyes(blink);
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"eye opening: driver {driverOpen:F3} -> {driverClosed:F3}, mesh {meshOpen:F3} -> {meshClosed:F3}, output {outOpen:F3} -> {outClosed:F3}");
        using var driverFace = Crop(astronaut, 160, 40, 130);
        using var closedFace = Crop(closed, 160, 40, 130);
        using var strip = Strip.Compose([new List<RgbaImage> { driverFace, closedFace }, new List<RgbaImage> { rest, blink }], 256);
        TestImages.Save(strip, "lite-blink-strip.png");

        // The engine sees the driver only through the landmark model, which (without the attention
        // variant) under-reads closed eyes: painted-over eyes still read ~80 % open, real closed eyes ~60 %.
        // The engine maps that reading onto the portrait's own lid range (AbsoluteExpressions): a reading
        // at 58 % of open or less closes the lids fully, so the mesh lid gap drops by more than the
        // driver's relative drop; the re-measured output moves the same way.
        var driverDrop = (driverOpen - driverClosed) / driverOpen;
        Assert.True(driverDrop > 0.1f, $"synthetic blink did not register on the driver ({driverOpen:F3} -> {driverClosed:F3})");
        Assert.True((meshOpen - meshClosed) / meshOpen >= driverDrop, $"mesh lids {meshOpen:F3} -> {meshClosed:F3} for a driver drop of {driverDrop:P0}");
        Assert.True(outClosed < outOpen, $"output eyes {outOpen:F3} -> {outClosed:F3}");
    }

    private static RgbaImage Crop(RgbaImage src, int x, int y, int size)
    {
        var dst = new RgbaImage(256, 256);
        ImageSampler.ToRgba(src, new Affine2(size / 256f, 0, x, 0, size / 256f, y), dst);
        return dst;
    }
}
