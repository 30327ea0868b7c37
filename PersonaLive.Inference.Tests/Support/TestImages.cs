using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.Inference.Faces;
using PersonaLive.Inference.Imaging;
using PersonaLive.Inference.Models;
using PersonaLive.Inference.Onnx;

namespace PersonaLive.Inference.Tests.Support;

/// <summary>Loading/saving test images and building trackers over the cached models.</summary>
internal static class TestImages
{
    public static async Task<RgbaImage> AstronautAsync()
    {
        var path = await TestData.AstronautAsync();
        return ImageCodec.Decode(await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken))
            ?? throw new InvalidDataException("astronaut.png did not decode");
    }

    public static void Save(RgbaImage image, string name) =>
        File.WriteAllBytes(Path.Combine(TestData.ArtifactDirectory, name), ImageCodec.EncodePng(image));

    /// <summary>Image warped by a similarity about the image centre (rotation degrees, scale) plus a shift.</summary>
    public static (RgbaImage Image, Affine2 SourceToResult) Transform(RgbaImage src, float degrees, float scale, float dx = 0, float dy = 0)
    {
        var a = degrees * MathF.PI / 180;
        float c = MathF.Cos(a) * scale, s = MathF.Sin(a) * scale;
        float cx = src.Width / 2f, cy = src.Height / 2f;
        // result = R*s*(p - centre) + centre + shift
        var forward = new Affine2(c, -s, cx - c * cx + s * cy + dx, s, c, cy - s * cx - c * cy + dy);
        var dst = new RgbaImage(src.Width, src.Height);
        ImageSampler.ToRgba(src, forward.Inverse(), dst);
        return (dst, forward);
    }
}

/// <summary>Shared sessions plus a tracker over the cached converted models.</summary>
internal sealed class TestFaceModels : IDisposable
{
    public required SharedOnnxSessions Sessions { get; init; }
    public required string Directory { get; init; }

    public static async Task<TestFaceModels> CreateAsync()
    {
        var dir = await TestData.ModelsAsync();
        return new TestFaceModels { Sessions = new SharedOnnxSessions(NullLogger<SharedOnnxSessions>.Instance), Directory = dir };
    }

    public FaceDetector Detector() => new(Sessions.Get(Path.Combine(Directory, LiteModelProvisioner.DetectorOnnx)));
    public FaceLandmarker Landmarker() => new(Sessions.Get(Path.Combine(Directory, LiteModelProvisioner.LandmarkOnnx)));
    public FaceTracker Tracker() => new(Detector(), Landmarker());

    public void Dispose() => Sessions.Dispose();
}
