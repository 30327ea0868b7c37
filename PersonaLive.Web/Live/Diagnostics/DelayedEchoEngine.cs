using System.Diagnostics;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Web.Live.Diagnostics;

/// <summary>
/// A test engine with a known, fixed delay: it returns each driving frame resized to its output size
/// (nearest neighbour). Running the live loop once with delay 0 and once with delay D must move the
/// measured glass-to-glass latency by about D; that is how the latency measurement is proven. Selected
/// with <c>Live:EchoEngineDelayMs</c>. By default it sleeps <see cref="Delay"/> per chunk, so a delay also
/// lowers the frame rate (tests use that to make the FrameGate drop frames). With <c>delayLine</c> it
/// instead holds every frame until it is <see cref="Delay"/> old and returns it, with its own capture time,
/// from the first call after that: the output keeps the camera's frame rate and only the delay changes,
/// which is what a latency proof needs (a 3 fps stream would also change the browser's jitter buffer).
/// </summary>
internal sealed class DelayedEchoEngine(TimeSpan delay, int chunkSize = 1, int outputSize = 256, bool delayLine = false) : IAnimationEngine
{
    private readonly Queue<(AnimatedFrame Frame, long DueTimestamp)> _held = new();

    public string Name => "echo";
    public int ChunkSize { get; } = chunkSize;
    public int OutputSize { get; } = outputSize;
    public TimeSpan Delay { get; } = delay;
    public int Recentered { get; private set; }
    public PreparedPortrait? Portrait { get; private set; }

    public void SetPortrait(PreparedPortrait portrait) => Portrait = portrait;

    public void Recenter() => Recentered++;

    public IReadOnlyList<AnimatedFrame> Animate(IReadOnlyList<DrivingFrame> chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (chunk.Count != ChunkSize) throw new ArgumentException($"Expected {ChunkSize} frames, got {chunk.Count}.", nameof(chunk));
        if (!delayLine)
        {
            if (Delay > TimeSpan.Zero) Thread.Sleep(Delay);
            return chunk.Select(f => new AnimatedFrame(Resize(f.Image, OutputSize), f.CaptureTimeUs)).ToList();
        }

        var now = Stopwatch.GetTimestamp();
        var due = now + (long)(Delay.TotalSeconds * Stopwatch.Frequency);
        foreach (var f in chunk) _held.Enqueue((new AnimatedFrame(Resize(f.Image, OutputSize), f.CaptureTimeUs), due));
        var ready = new List<AnimatedFrame>();
        while (_held.TryPeek(out var head) && head.DueTimestamp <= now) ready.Add(_held.Dequeue().Frame);
        return ready;
    }

    private static RgbaImage Resize(RgbaImage src, int size)
    {
        var dst = new RgbaImage(size, size);
        var s = src.Pixels;
        var d = dst.Pixels;
        for (var y = 0; y < size; y++)
        {
            var sy = y * src.Height / size;
            for (var x = 0; x < size; x++)
            {
                var sx = x * src.Width / size;
                s.Slice((sy * src.Width + sx) * 4, 4).CopyTo(d.Slice((y * size + x) * 4, 4));
            }
        }
        return dst;
    }

    public void Dispose()
    {
        while (_held.TryDequeue(out var held)) held.Frame.Image.Dispose();
    }
}

/// <summary>Factory for <see cref="DelayedEchoEngine"/>; accepts any decodable image as a portrait (no face check).</summary>
internal sealed class DelayedEchoEngineFactory(TimeSpan delay, int chunkSize = 1, bool delayLine = false) : IAnimationEngineFactory
{
    public string Name => "echo";
    public EngineStatus Status { get; } = new(EngineState.Ready, $"Test engine: echoes the camera after {delay.TotalMilliseconds:0} ms.");
    public Task WarmUpAsync(IProgress<EngineStatus>? progress, CancellationToken cancellationToken)
    {
        progress?.Report(Status);
        return Task.CompletedTask;
    }

    public Task<PortraitResult> PreparePortraitAsync(ReadOnlyMemory<byte> encodedImage, CancellationToken cancellationToken)
    {
        var status = ImageCodec.TryDecode(encodedImage.Span, out var decoded);
        using var rgba = decoded;
        if (status == ImageDecodeStatus.Damaged) return Task.FromResult(PortraitResult.Fail(PersonaLive.Inference.Faces.PortraitPreparer.DamagedMessage));
        if (rgba is null) return Task.FromResult(PortraitResult.Fail("The image could not be decoded."));
        using var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(rgba.Width, rgba.Height, SkiaSharp.SKColorType.Rgba8888, SkiaSharp.SKAlphaType.Unpremul));
        rgba.Pixels.CopyTo(bitmap.GetPixelSpan());
        using var square = bitmap.Resize(new SkiaSharp.SKImageInfo(512, 512, SkiaSharp.SKColorType.Rgba8888, SkiaSharp.SKAlphaType.Unpremul), new SkiaSharp.SKSamplingOptions(SkiaSharp.SKFilterMode.Linear));
        var image = new RgbaImage(512, 512);
        square.GetPixelSpan().CopyTo(image.Pixels);
        return Task.FromResult(PortraitResult.Ok(new PreparedPortrait(image, 512)));
    }

    public IAnimationEngine CreateEngine() => new DelayedEchoEngine(delay, chunkSize, delayLine: delayLine);
}
