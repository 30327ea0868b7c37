using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PersonaLive.Inference.Diffusion.ModelSet;
using PersonaLive.Inference.Diffusion.Runtime;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Diffusion;

/// <summary>Milliseconds of the last <see cref="PersonaLiveEngine.Animate"/> call: all of it, and inside ONNX Runtime runs.</summary>
public readonly record struct ChunkTimings(double TotalMs, double ModelMs)
{
    public double OverheadMs => TotalMs - ModelMs;
}

/// <summary>
/// One session of the <c>personalive</c> engine: the official online streaming pipeline (port-notes §7)
/// on ONNX Runtime. Per portrait: CLIP embeds, VAE latents, 16 reference hidden states, the noised
/// 12-frame pre-fill. Per chunk of 4 driving frames: head poses and keypoints (motion extractor), keypoint
/// transfer onto the portrait, keypoint maps and face crops, on the first chunk the 12-frame warm-up,
/// seeded noise for the entering frames, one fused step with the carried state on the device
/// (<see cref="FusedStepRunner"/>), the emitted frames, and the historical keyframe rule. Outputs lag the
/// inputs by 12 frames (3 chunks) and carry the capture times of the frames that drove them, 12 inputs
/// back (<see cref="PipelineTimestamps"/>); the first 12 after a portrait are the warm-up. Not
/// thread-safe: one caller at a time; the ONNX sessions are the factory's.
/// </summary>
public sealed partial class PersonaLiveEngine : IAnimationEngine
{
    private static readonly float[] ClipMean = [0.48145466f, 0.4578275f, 0.40821073f];
    private static readonly float[] ClipStd = [0.26862954f, 0.26130258f, 0.27577711f];

    private readonly PersonaLiveSessions _sessions;
    private readonly ModelGeometry _g;
    private readonly ILogger _logger;
    private readonly ulong _seed;
    private readonly bool _mirror;
    private readonly GaussianNoise _noise;
    private readonly DdimSchedule _schedule = DdimSchedule.Default;
    private readonly SquareResizer _resizer = new();
    private readonly LanczosResizer _lanczos = new();
    private readonly FusedStepRunner _fused;
    private readonly KeyframeBank _bank;
    private readonly Networks _nets;
    private readonly float[][] _frames;
    private readonly float[] _noiseChunk;
    private readonly float[] _motionOut;
    private readonly PipelineTimestamps _timestamps = new(ModelGeometry.Carried);
    private PortraitContext? _portrait;
    private bool _first = true, _recenter;
    private HeadPose _firstPose;
    private long _modelTicks;
    private bool _disposed;

    public PersonaLiveEngine(PersonaLiveSessions sessions, ulong seed, ILogger<PersonaLiveEngine> logger, bool mirrorDrivingFrames = true)
    {
        _mirror = mirrorDrivingFrames;
        _sessions = sessions;
        _g = sessions.Geometry;
        _logger = logger;
        _seed = seed;
        _noise = new GaussianNoise(seed);
        _fused = new FusedStepRunner(sessions[ModelSetContract.FusedStep], _g, sessions.FusedProvider != ExecutionProviders.Cpu);
        _bank = new KeyframeBank(_g.MotionValues);
        _nets = new Networks(sessions, _g);
        _frames = [.. Enumerable.Range(0, ModelGeometry.Chunk).Select(_ => new float[3 * _g.Resolution * _g.Resolution])];
        _noiseChunk = new float[_g.LatentChannels * ModelGeometry.Chunk * _g.Latent * _g.Latent];
        _motionOut = new float[_g.MotionValues];
        _boxes = new FaceBox[ModelGeometry.Chunk];
    }

    public string Name => "personalive";
    public int ChunkSize => ModelGeometry.Chunk;
    public int OutputSize => _g.Resolution;

    /// <summary>Frames between a driving frame entering and its animated frame leaving (3 chunks).</summary>
    public int PipelineDelayFrames => ModelGeometry.Carried;

    /// <summary>Timings of the last <see cref="Animate"/> call.</summary>
    public ChunkTimings LastTimings { get; private set; }

    /// <summary>Calls since the portrait was set (the official <c>count</c>).</summary>
    public int Calls { get; private set; }

    /// <summary>Reference updates from historical keyframes (0..3) and motion states in the bank.</summary>
    public int KeyframeUpdates => _bank.Updates;
    public int BankCount => _bank.Count;

    /// <summary>Current length of the first reference state (base length x (1 + keyframes)).</summary>
    public int ReferenceLength0 => _portrait is { References.Length: > 0 } p ? (int)p.References[0].Shape[1] : 0;

    /// <summary>The sessions this engine runs on (the factory's, shared by all its engines).</summary>
    internal PersonaLiveSessions Sessions => _sessions;

    /// <summary>The current portrait's VAE latents (x0.18215), or null without a portrait (tests rebuild the noised window from them).</summary>
    internal float[]? ReferenceLatents => _portrait?.Latents;

    /// <summary>The fused-step runner (tests read the carried buffers through it on CPU).</summary>
    internal FusedStepRunner Fused => _fused;

    /// <summary>Called before and after each fused run when set (tests: traces of the bookkeeping).</summary>
    internal Action<PersonaLiveEngine, bool>? OnFusedRun { get; set; }

    public void SetPortrait(PreparedPortrait portrait)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(portrait);
        var p = new PortraitContext(_g.Resolution, _g.LatentChannels * _g.Latent * _g.Latent);
        if (_portrait is { } old) DisposeReferences(old);
        _portrait = null; // a portrait that fails to fuse leaves the engine without one (blank frames), never half-set
        try
        {
            FusePortrait(portrait.Image, p);
        }
        catch
        {
            DisposeReferences(p);
            throw;
        }
        _portrait = p;
        _fused.SetContext(_nets.FusedEmbeds, p.References);
        ResetStream();
    }

    /// <summary>Re-anchors the translation transfer on the first frame of the next chunk (the window carries on).</summary>
    public void Recenter() => _recenter = true;

    private void ResetStream()
    {
        var p = _portrait!;
        _noise.Reseed(_seed);
        _first = true;
        _recenter = false;
        Calls = 0;
        _boxesValid = false;
        _bank.Clear();
        _timestamps.Reset();
        // Window frames 0..11: the reference latents noised at t = 0,0,0,0,333,...,666 with one draw (1,C,12,l,l).
        int lat = _g.Latent * _g.Latent, c = _g.LatentChannels;
        var draw = new float[c * ModelGeometry.Carried * lat];
        _noise.Fill(draw);
        var sample = _fused.PrefillSample.Data;
        for (var ch = 0; ch < c; ch++)
            for (var f = 0; f < ModelGeometry.Carried; f++)
                _schedule.AddNoise(p.Latents.AsSpan(ch * lat, lat), draw.AsSpan((ch * ModelGeometry.Carried + f) * lat, lat),
                    DdimSchedule.WindowTimesteps[f / 4], sample.AsSpan((ch * ModelGeometry.Window + f) * lat, lat), _g.FusedFp16);
        _fused.Prefill();
    }

    private void FusePortrait(RgbaImage image, PortraitContext p)
    {
        int r = _g.Resolution;
        // VAE input and the portrait's crop source: the official PIL Lanczos resize, [-1, 1].
        _lanczos.Resize(image, r, p.Pixels, LanczosResizer.Range.Signed);
        // CLIP: resize to the encoder's size, x/255, normalise per channel.
        var clip = _nets.ClipInput.Data;
        _resizer.Resize(image, _g.ClipSize, clip, 1, 0);
        var plane = _g.ClipSize * _g.ClipSize;
        for (var ch = 0; ch < 3; ch++)
            for (var i = 0; i < plane; i++) clip[ch * plane + i] = (clip[ch * plane + i] - ClipMean[ch]) / ClipStd[ch];
        _nets.ImageEncoder.Run([_nets.ClipInput], [_nets.Embeds]);
        _nets.ShareEmbeds();
        p.Pixels.CopyTo(_nets.VaeInput.Data, 0);
        _nets.VaeEncoder.Run([_nets.VaeInput], [_nets.Latents]);
        _nets.Latents.Data.CopyTo(p.Latents, 0);
        p.References = RunReferenceUnet(p.Latents);
        // Portrait head pose and keypoints: the official PIL Lanczos resize to the detector size, [0, 1].
        _lanczos.Resize(image, _g.DetectorSize, _nets.DetectOne.Input.Data, LanczosResizer.Range.Unit);
        _nets.DetectOne.Run();
        p.Pose = _nets.DetectOne.Pose(0, p.Keypoints);
        KeypointMath.Transform(p.Keypoints, p.Pose, p.OwnKeypoints);
    }

    /// <summary>Runs the reference UNet on latents (t = 0, portrait embeds) and returns fresh copies of the 16 states in the fused step's dtype.</summary>
    private HostTensor[] RunReferenceUnet(ReadOnlySpan<float> latents)
    {
        latents.CopyTo(_nets.ReferenceLatents.Data);
        _nets.ReferenceUnet.Run([_nets.ReferenceLatents, _nets.ReferenceEmbeds], _nets.ReferenceOut);
        var result = new HostTensor[16];
        for (var i = 0; i < 16; i++)
        {
            result[i] = new HostTensor((long[])_nets.ReferenceOut[i].Shape.Clone(), _g.FusedFp16);
            _nets.ReferenceOut[i].Data.CopyTo(result[i].Data, 0);
        }
        return result;
    }

    public IReadOnlyList<AnimatedFrame> Animate(IReadOnlyList<DrivingFrame> chunk)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(chunk);
        if (chunk.Count != ChunkSize) throw new ArgumentException($"The personalive engine takes {ChunkSize} frames per call, got {chunk.Count}.", nameof(chunk));
        var start = Stopwatch.GetTimestamp();
        _modelTicks = 0;
        var outputs = new AnimatedFrame[ChunkSize];
        if (_portrait is not { } p)
        {
            for (var i = 0; i < ChunkSize; i++) outputs[i] = new AnimatedFrame(OutputFrames.Blank(_g.Resolution), chunk[i].CaptureTimeUs);
            return outputs;
        }

        PrepareChunk(chunk, p);
        if (_first)
        {
            WarmUp(p);
            _first = false;
        }
        // new_noise: the reference latents noised at t = 999 with a fresh draw (1,C,4,l,l).
        FillNoised(p, _fused.NewNoise.Data);
        Timed(() =>
        {
            OnFusedRun?.Invoke(this, false);
            _fused.Run();
        });
        var video = _fused.PredVideo.Data;
        var r = _g.Resolution;
        foreach (var f in chunk) _timestamps.Enter(f.CaptureTimeUs);
        for (var i = 0; i < ChunkSize; i++)
        {
            var (capture, warmUp) = _timestamps.Leave(); // window frame i was driven 12 inputs ago
            outputs[i] = new AnimatedFrame(OutputFrames.FromNhwc(video.AsSpan(i * r * r * 3, r * r * 3), r), capture, warmUp);
        }

        _fused.MotionOut.Data.CopyTo(_motionOut, 0);
        if (_bank.Observe(Calls, _motionOut)) AppendKeyframe(p);
        OnFusedRun?.Invoke(this, true);
        Calls++;
        LastTimings = new ChunkTimings(Stopwatch.GetElapsedTime(start).TotalMilliseconds, _modelTicks * 1000.0 / Stopwatch.Frequency);
        return outputs;
    }

    private void FillNoised(PortraitContext p, float[] dst)
    {
        int lat = _g.Latent * _g.Latent, c = _g.LatentChannels;
        _noise.Fill(_noiseChunk);
        for (var ch = 0; ch < c; ch++)
            for (var f = 0; f < ModelGeometry.Chunk; f++)
            {
                var o = (ch * ModelGeometry.Chunk + f) * lat;
                _schedule.AddNoise(p.Latents.AsSpan(ch * lat, lat), _noiseChunk.AsSpan(o, lat), 999, dst.AsSpan(o, lat), _g.FusedFp16);
            }
    }

    /// <summary>Runs the reference UNet on <c>latent_first</c> and appends its states after the current ones along L.</summary>
    private void AppendKeyframe(PortraitContext p)
    {
        var fresh = Timed(() => RunReferenceUnet(_fused.LatentFirst.Data));
        var merged = new HostTensor[16];
        for (var i = 0; i < 16; i++)
        {
            var old = p.References[i];
            merged[i] = new HostTensor([1, old.Shape[1] + fresh[i].Shape[1], old.Shape[2]], _g.FusedFp16);
            old.Data.CopyTo(merged[i].Data, 0);
            fresh[i].Data.CopyTo(merged[i].Data, old.Data.Length);
            fresh[i].Dispose();
        }
        var previous = p.References;
        p.References = merged;
        _fused.SetContext(_nets.FusedEmbeds, merged);
        foreach (var t in previous) t.Dispose();
        _logger.LogDebug("Historical keyframe {Update} at call {Call} (distance {Distance:F2}); reference length {Length}",
            _bank.Updates, Calls, _bank.LastDistance, merged[0].Shape[1]);
    }

    private void Timed(Action action)
    {
        var t = Stopwatch.GetTimestamp();
        action();
        _modelTicks += Stopwatch.GetTimestamp() - t;
    }

    private T Timed<T>(Func<T> func)
    {
        var t = Stopwatch.GetTimestamp();
        var result = func();
        _modelTicks += Stopwatch.GetTimestamp() - t;
        return result;
    }

    private static void DisposeReferences(PortraitContext p)
    {
        foreach (var t in p.References) t.Dispose();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_portrait is { } p) DisposeReferences(p);
        _fused.Dispose();
        _nets.Dispose();
    }
}
