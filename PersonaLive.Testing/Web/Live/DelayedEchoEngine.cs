using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;
using PersonaLive.Media;

namespace PersonaLive.Web.Live.Diagnostics;

/// <summary>
/// A test engine with a known delay: it returns each driving frame resized to its output size (nearest
/// neighbour). Running the live loop once without and once with a delay must move the measured latency by
/// that delay; that is how the latency measurement is proven. Selected with <c>Live:EchoEngineDelayMs</c>.
/// Two kinds of delay: <see cref="Delay"/> is slept per chunk, which also lowers the frame rate (tests use
/// that to make the FrameGate drop frames); <see cref="PipelineDelayFrames"/> makes each output the echo
/// of the input that many frames back, with that input's capture time, like the personalive engine's
/// window: the output keeps the camera's frame rate and only the latency changes, which is what a latency
/// proof needs. Either way one output leaves per input, as the engine interface asks. The live loop
/// drives it in I420 (<see cref="IPlanarAnimationEngine"/>): each picture is scaled plane by plane to the
/// output size, with no RGBA on the way; <see cref="Animate"/> keeps the RGBA form for callers that have it.
/// </summary>
internal sealed class DelayedEchoEngine(TimeSpan delay, int chunkSize = 1, int outputSize = 256, int delayFrames = 0) : IPlanarAnimationEngine
{
    private readonly Queue<I420Frame> _heldPlanar = new();
    private readonly List<PlanarAnimatedFrame> _planarOutputs = new(4);
    private I420Frame? _firstPlanar;
    private readonly Queue<RgbaImage> _held = new();
    private readonly PipelineTimestamps _timestamps = new(delayFrames);
    private readonly List<AnimatedFrame> _outputs = new(4);
    private RgbaImage? _first;

    public string Name => "echo";
    public int ChunkSize { get; } = chunkSize;
    public int OutputSize { get; } = outputSize;
    public int PipelineDelayFrames { get; } = delayFrames;
    public TimeSpan Delay { get; } = delay;
    public int Recentered { get; private set; }
    public PreparedPortrait? Portrait { get; private set; }

    public void SetPortrait(PreparedPortrait portrait)
    {
        Portrait = portrait;
        DisposeHeld();
        _timestamps.Reset();
    }

    public void Recenter() => Recentered++;

    public IReadOnlyList<AnimatedFrame> Animate(IReadOnlyList<DrivingFrame> chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (chunk.Count != ChunkSize) throw new ArgumentException($"Expected {ChunkSize} frames, got {chunk.Count}.", nameof(chunk));
        if (Delay > TimeSpan.Zero) Thread.Sleep(Delay);
        foreach (var f in chunk)
        {
            _first ??= Resize(f.Image, OutputSize);
            _held.Enqueue(Resize(f.Image, OutputSize));
            _timestamps.Enter(f.CaptureTimeUs);
        }
        var outputs = _outputs; // reused: callers read it before the next call (the images are theirs)
        outputs.Clear();
        for (var i = 0; i < chunk.Count; i++)
        {
            var (capture, warmUp) = _timestamps.Leave();
            // Warm-up outputs echo the first input (what a filling window shows); later ones the input that drove them.
            outputs.Add(new AnimatedFrame(warmUp ? Copy(_first!) : _held.Dequeue(), capture, warmUp));
        }
        return outputs;
    }

    public IReadOnlyList<PlanarAnimatedFrame> AnimatePlanar(IReadOnlyList<PlanarDrivingFrame> chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (chunk.Count != ChunkSize) throw new ArgumentException($"Expected {ChunkSize} frames, got {chunk.Count}.", nameof(chunk));
        if (Delay > TimeSpan.Zero) Thread.Sleep(Delay);
        for (var i = 0; i < chunk.Count; i++)
        {
            var scaled = I420Scaler.Scale(chunk[i].Image, OutputSize, OutputSize);
            _firstPlanar ??= scaled.Retain(); // pictures are never written after scaling: sharing one is safe
            _heldPlanar.Enqueue(scaled);
            _timestamps.Enter(chunk[i].CaptureTimeUs);
        }
        var outputs = _planarOutputs; // reused: callers read it before the next call (the pictures are theirs)
        outputs.Clear();
        for (var i = 0; i < chunk.Count; i++)
        {
            var (capture, warmUp) = _timestamps.Leave();
            outputs.Add(new PlanarAnimatedFrame(warmUp ? _firstPlanar!.Retain() : _heldPlanar.Dequeue(), capture, warmUp));
        }
        return outputs;
    }

    private static RgbaImage Copy(RgbaImage src)
    {
        var dst = RgbaImage.Rent(src.Width, src.Height);
        src.Pixels.CopyTo(dst.Pixels);
        return dst;
    }

    private static RgbaImage Resize(RgbaImage src, int size)
    {
        var dst = RgbaImage.Rent(size, size); // pooled: the caller disposes each output
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

    private void DisposeHeld()
    {
        while (_held.TryDequeue(out var held)) held.Dispose();
        _first?.Dispose();
        _first = null;
        while (_heldPlanar.TryDequeue(out var picture)) picture.Dispose();
        _firstPlanar?.Dispose();
        _firstPlanar = null;
    }

    public void Dispose() => DisposeHeld();
}

/// <summary>Factory for <see cref="DelayedEchoEngine"/>; accepts any decodable image as a portrait (no face check).</summary>
internal sealed class DelayedEchoEngineFactory(TimeSpan delay, int chunkSize = 1, int delayFrames = 0, int outputSize = 256) : IAnimationEngineFactory
{
    public string Name => "echo";
    public EngineStatus Status { get; } = new(EngineState.Ready, $"Test engine: echoes the camera after {delay.TotalMilliseconds:0} ms and {delayFrames} frames.");
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

    public IAnimationEngine CreateEngine() => new DelayedEchoEngine(delay, chunkSize, outputSize, delayFrames);
}
