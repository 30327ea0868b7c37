using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;
using PersonaLive.Inference.Lite;
using PersonaLive.Inference.Tests.Support;

namespace PersonaLive.Inference.Tests.Lite;

public sealed class LiteEngineFactoryTests
{
    private static async Task<LiteEngineFactory> ReadyFactoryAsync()
    {
        await TestData.ModelsAsync();
        var factory = new LiteEngineFactory(Options.Create(new EngineOptions { ModelDirectory = TestData.ModelDirectory }), NullLoggerFactory.Instance);
        var reports = new List<EngineStatus>();
        await factory.WarmUpAsync(new SyncProgress(reports.Add), TestContext.Current.CancellationToken);
        Assert.Equal(EngineState.Ready, factory.Status.State);
        Assert.Equal(EngineState.Ready, reports[^1].State);
        return factory;
    }

    [Fact]
    public async Task PortraitIsCroppedTo512WithTheFaceCentredAndLevel()
    {
        using var factory = await ReadyFactoryAsync();
        var bytes = await File.ReadAllBytesAsync(await TestData.AstronautAsync(), TestContext.Current.CancellationToken);
        var result = await factory.PreparePortraitAsync(bytes, TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded, result.Error);
        var portrait = result.Portrait!;
        Assert.Equal(512, portrait.Size);
        Assert.Equal(512, portrait.Image.Width);
        TestImages.Save(portrait.Image, "lite-prepared-portrait.png");

        using var models = await TestFaceModels.CreateAsync();
        using var detector = models.Detector();
        var face = Assert.Single(detector.Detect(portrait.Image));
        // Face centred (within 10 % of the frame) and about 35-60 % of the crop wide (margin 2.3x landmarks).
        Assert.InRange(face.CenterX, 205, 307);
        Assert.InRange(face.CenterY, 205, 330);
        Assert.InRange(face.Width / 512, 0.3, 0.6);
        var (lx, ly) = face.Keypoint(0);
        var (rx, ry) = face.Keypoint(1);
        Assert.True(Math.Abs(MathF.Atan2(ry - ly, rx - lx)) < 0.06, "eyes are level");
    }

    [Fact]
    public async Task PortraitsWithoutAUsableFaceGetAReason()
    {
        using var factory = await ReadyFactoryAsync();
        var notImage = await factory.PreparePortraitAsync("hello"u8.ToArray(), TestContext.Current.CancellationToken);
        Assert.False(notImage.Succeeded);
        Assert.Contains("not an image", notImage.Error);

        using var plain = new RgbaImage(400, 300);
        plain.Pixels.Fill(200);
        var noFace = await factory.PreparePortraitAsync(ImageCodec.EncodePng(plain), TestContext.Current.CancellationToken);
        Assert.False(noFace.Succeeded);
        Assert.Contains("No face", noFace.Error);
    }

    [Fact]
    public async Task EngineHasTheContractShapeAndKeepsTimestamps()
    {
        using var factory = await ReadyFactoryAsync();
        using var engine = factory.CreateEngine();
        Assert.Equal("lite", engine.Name);
        Assert.Equal(1, engine.ChunkSize);
        Assert.Equal(512, engine.OutputSize);
        using var frame = new RgbaImage(64, 48);
        var outputs = engine.Animate([new DrivingFrame(frame, 123_456)]); // no portrait yet: a placeholder frame
        var only = Assert.Single(outputs);
        Assert.Equal(123_456, only.CaptureTimeUs);
        Assert.Equal(512, only.Image.Width);
        only.Image.Dispose();
        Assert.Throws<ArgumentException>(() => engine.Animate([new DrivingFrame(frame, 1), new DrivingFrame(frame, 2)]));
    }

    [Fact]
    public async Task LosingTheFaceHoldsTheLastPoseAndTrackingResumes()
    {
        using var factory = await ReadyFactoryAsync();
        var bytes = await File.ReadAllBytesAsync(await TestData.AstronautAsync(), TestContext.Current.CancellationToken);
        var prepared = await factory.PreparePortraitAsync(bytes, TestContext.Current.CancellationToken);
        using var astronaut = await TestImages.AstronautAsync();
        var (rolled, _) = TestImages.Transform(astronaut, 12, 1);
        using var _r = rolled;
        using var blank = new RgbaImage(320, 240);
        using var engine = (LiteEngine)factory.CreateEngine();
        engine.SetPortrait(prepared.Portrait!);
        long t = 0;
        byte[] Frame(RgbaImage driver)
        {
            using var o = engine.Animate([new DrivingFrame(driver, t += 33_333)])[0].Image;
            return o.Pixels.ToArray();
        }
        for (var i = 0; i < 5; i++) Frame(astronaut);
        byte[] posed = [];
        for (var i = 0; i < 20; i++) posed = Frame(rolled);
        Assert.True(engine.LastFrameHadFace);
        var held = Frame(blank);
        Assert.False(engine.LastFrameHadFace);
        Assert.Equal(posed, held);              // no face: the last pose stays on screen
        var resumed = Frame(astronaut);
        Assert.True(engine.LastFrameHadFace);   // re-detected on the next frame with a face
        Assert.NotEqual(posed, resumed);
    }

    [Fact]
    public void CreatingAnEngineBeforeWarmUpSaysWhy()
    {
        using var factory = new LiteEngineFactory(new EngineOptions { ModelDirectory = "/nonexistent" }, NullLoggerFactory.Instance);
        Assert.Equal(EngineState.NotStarted, factory.Status.State);
        var ex = Assert.Throws<InvalidOperationException>(() => factory.CreateEngine());
        Assert.Contains("WarmUpAsync", ex.Message);
    }

    private sealed class SyncProgress(Action<EngineStatus> report) : IProgress<EngineStatus>
    {
        public void Report(EngineStatus value) => report(value);
    }
}

public sealed class LiteEngineAllocationTests
{
    [Fact]
    public async Task SteadyStateFramesDoNotAllocateFrameSizedBuffers()
    {
        await TestData.ModelsAsync();
        using var factory = new LiteEngineFactory(new EngineOptions { ModelDirectory = TestData.ModelDirectory }, NullLoggerFactory.Instance);
        await factory.WarmUpAsync(null, TestContext.Current.CancellationToken);
        var bytes = await File.ReadAllBytesAsync(await TestData.AstronautAsync(), TestContext.Current.CancellationToken);
        var prepared = await factory.PreparePortraitAsync(bytes, TestContext.Current.CancellationToken);
        using var face = ImageCodec.Decode(bytes)!;
        var clip = PersonaLive.Inference.Benchmarks.LiteBenchmark.BuildClip(face);
        try
        {
            using var engine = factory.CreateEngine();
            engine.SetPortrait(prepared.Portrait!);
            long t = 0;
            void Frame(int i) { foreach (var o in engine.Animate([new DrivingFrame(clip[i % clip.Length], t += 33_333)])) o.Image.Dispose(); }
            for (var i = 0; i < 20; i++) Frame(i);
            var before = GC.GetAllocatedBytesForCurrentThread();
            const int frames = 30;
            for (var i = 20; i < 20 + frames; i++) Frame(i);
            var perFrame = (GC.GetAllocatedBytesForCurrentThread() - before) / frames;
            TestContext.Current.TestOutputHelper?.WriteLine($"{perFrame} bytes allocated per frame");
            // A 512x512 RGBA frame is 1 MiB; only small bookkeeping objects may be allocated per frame.
            Assert.True(perFrame < 16 * 1024, $"{perFrame} bytes allocated per frame");
        }
        finally
        {
            foreach (var f in clip) f.Dispose();
        }
    }
}
