using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using PersonaLive.Inference.Diffusion.ModelSet;

namespace PersonaLive.Inference.Diffusion.Runtime;

/// <summary>
/// Drives the fused step (<c>unet_work</c>) with ORT IOBinding and double-buffered carried state
/// (port-notes §2.5, §9.3): the carried <c>latents</c>, <c>pose_cond_fea_out</c> and
/// <c>motion_hidden_states_out</c> are written into device buffers of one set and read back by the next
/// call as <c>sample</c>, <c>pose_cond_fea</c>, <c>motion_hidden_states</c> from the same buffers, while the
/// call after that writes into the other set: outputs feed inputs with no host copy and no buffer is read
/// and written by one run. The first call after <see cref="Prefill"/> takes the carried inputs from host
/// tensors instead (the warm-up window). Embeds and reference states are bound only when they change
/// (ORT copies a host input to the device when it is bound). One runner per engine instance.
/// </summary>
public sealed class FusedStepRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _runOptions = new();
    private readonly OrtAllocator? _deviceAllocator;
    private readonly OrtMemoryInfo? _deviceInfo;
    private readonly OrtValue[][] _carried = [new OrtValue[3], new OrtValue[3]];
    private int _write; // index of the set the next run writes
    private bool _primed;

    public static readonly string[] CarriedInputs = ["sample", "pose_cond_fea", "motion_hidden_states"];
    public static readonly string[] CarriedOutputs = ["latents", "pose_cond_fea_out", "motion_hidden_states_out"];

    public FusedStepRunner(InferenceSession session, ModelGeometry g, bool onGpu)
    {
        _session = session;
        Geometry = g;
        int r = g.Resolution, l = g.Latent, c = g.LatentChannels;
        var fp16 = g.FusedFp16;
        Pose = new HostTensor([1, 3, ModelGeometry.Chunk, r, r], fp16);
        Motion = new HostTensor([1, 3, ModelGeometry.Chunk, g.CropSize, g.CropSize], fp16);
        NewNoise = new HostTensor([1, c, ModelGeometry.Chunk, l, l], fp16);
        PrefillSample = new HostTensor(CarriedShape(0), fp16);
        PrefillPose = new HostTensor(CarriedShape(1), fp16);
        PrefillMotion = new HostTensor(CarriedShape(2), fp16);
        PredVideo = new HostTensor([ModelGeometry.Chunk, r, r, 3], fp16);
        MotionOut = new HostTensor([1, 1, g.MotionRows, g.MotionCols], fp16);
        LatentFirst = new HostTensor([1, c, l, l], fp16);
        OnGpu = onGpu;
        if (onGpu)
        {
            _deviceInfo = new OrtMemoryInfo(OrtMemoryInfo.allocatorCUDA, OrtAllocatorType.DeviceAllocator, 0, OrtMemType.Default);
            _deviceAllocator = new OrtAllocator(session, _deviceInfo);
        }
        var type = fp16 ? TensorElementType.Float16 : TensorElementType.Float;
        for (var set = 0; set < 2; set++)
            for (var i = 0; i < 3; i++)
                _carried[set][i] = OrtValue.CreateAllocatedTensorValue(_deviceAllocator ?? OrtAllocator.DefaultInstance, type, CarriedShape(i));
        _binding = session.CreateIoBinding();
        _binding.BindOutput("pred_video", PredVideo.Value);
        _binding.BindOutput("motion_out", MotionOut.Value);
        _binding.BindOutput("latent_first", LatentFirst.Value);
    }

    public ModelGeometry Geometry { get; }

    /// <summary>True when the carried state lives in CUDA memory (not readable from the host).</summary>
    public bool OnGpu { get; }

    /// <summary>Keypoint maps of the 4 new frames (1,3,4,R,R), filled by the engine before <see cref="Run"/>.</summary>
    public HostTensor Pose { get; }

    /// <summary>Face crops of the 4 new frames (1,3,4,S,S).</summary>
    public HostTensor Motion { get; }

    /// <summary>Reference latents noised at t = 999, the window tail of the next call (1,C,4,l,l).</summary>
    public HostTensor NewNoise { get; }

    public HostTensor PrefillSample { get; }
    public HostTensor PrefillPose { get; }
    public HostTensor PrefillMotion { get; }

    public HostTensor PredVideo { get; }
    public HostTensor MotionOut { get; }
    public HostTensor LatentFirst { get; }

    /// <summary>Number of runs since the last <see cref="Prefill"/>.</summary>
    public int RunsSincePrefill { get; private set; }

    private long[] CarriedShape(int i) => i switch
    {
        0 => [1, Geometry.LatentChannels, ModelGeometry.Window, Geometry.Latent, Geometry.Latent],
        1 => [1, Geometry.PoseChannels, ModelGeometry.Carried, Geometry.Latent, Geometry.Latent],
        _ => [1, ModelGeometry.Carried, Geometry.MotionRows, Geometry.MotionCols],
    };

    /// <summary>Binds new embeds and reference states (host tensors; copied to the device now, not per run).</summary>
    public void SetContext(HostTensor embeds, IReadOnlyList<HostTensor> references)
    {
        embeds.Commit();
        _binding.BindInput("encoder_hidden_states", embeds.Value);
        for (var i = 0; i < references.Count; i++)
        {
            references[i].Commit();
            _binding.BindInput(ModelSetContract.ReferenceNames[i], references[i].Value);
        }
    }

    /// <summary>The next run reads the carried inputs from the prefill tensors (after the engine filled them).</summary>
    public void Prefill()
    {
        _primed = false;
        RunsSincePrefill = 0;
    }

    /// <summary>The carried values the next run will read (device or host), by input name order of <see cref="CarriedInputs"/>.</summary>
    public OrtValue NextInput(int i) => _primed ? _carried[1 - _write][i] : (i switch { 0 => PrefillSample, 1 => PrefillPose, _ => PrefillMotion }).Value;

    /// <summary>The carried values the last run wrote.</summary>
    public OrtValue LastOutput(int i) => _carried[1 - _write][i];

    /// <summary>Runs one chunk: binds carried inputs and the other buffer set as outputs, runs, swaps.</summary>
    public void Run()
    {
        for (var i = 0; i < 3; i++)
        {
            if (!_primed) (i switch { 0 => PrefillSample, 1 => PrefillPose, _ => PrefillMotion }).Commit();
            _binding.BindInput(CarriedInputs[i], NextInput(i));
            _binding.BindOutput(CarriedOutputs[i], _carried[_write][i]);
        }
        Pose.Commit();
        Motion.Commit();
        NewNoise.Commit();
        _binding.BindInput("pose", Pose.Value);
        _binding.BindInput("motion", Motion.Value);
        _binding.BindInput("new_noise", NewNoise.Value);
        _session.RunWithBinding(_runOptions, _binding);
        if (OnGpu) _binding.SynchronizeBoundOutputs();
        PredVideo.Fetch();
        MotionOut.Fetch();
        LatentFirst.Fetch();
        _write = 1 - _write;
        _primed = true;
        RunsSincePrefill++;
    }

    /// <summary>Host copy of a host-readable (CPU) OrtValue, for tests and diagnostics.</summary>
    public static float[] ToHost(OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        return info.ElementDataType == TensorElementType.Float16
            ? [.. value.GetTensorDataAsSpan<Float16>().ToArray().Select(h => (float)h)]
            : value.GetTensorDataAsSpan<float>().ToArray();
    }

    public void Dispose()
    {
        _binding.Dispose();
        foreach (var set in _carried) foreach (var v in set) v?.Dispose();
        foreach (var t in new[] { Pose, Motion, NewNoise, PrefillSample, PrefillPose, PrefillMotion, PredVideo, MotionOut, LatentFirst }) t.Dispose();
        _deviceAllocator?.Dispose();
        _deviceInfo?.Dispose();
        _runOptions.Dispose();
    }
}
