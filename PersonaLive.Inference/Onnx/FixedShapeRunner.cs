using Microsoft.ML.OnnxRuntime;

namespace PersonaLive.Inference.Onnx;

/// <summary>
/// Runs a shared <see cref="InferenceSession"/> whose inputs and outputs all have static float shapes,
/// with caller-owned buffers bound once: the input and output arrays are wrapped by
/// <see cref="OrtValue"/>s for the runner's lifetime, so a steady-state <see cref="Run"/> allocates
/// nothing large and copies nothing. One runner per engine instance (not thread-safe); the session
/// itself is shared. Disposing the runner releases the OrtValues but not the session.
/// </summary>
public sealed class FixedShapeRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly OrtValue[] _inputValues;
    private readonly OrtValue[] _outputValues;
    private readonly RunOptions _runOptions = new();

    public FixedShapeRunner(InferenceSession session, string[] inputNames, string[] outputNames)
    {
        _session = session ?? throw new ArgumentNullException(nameof(session));
        _inputNames = inputNames;
        _outputNames = outputNames;
        Inputs = new float[inputNames.Length][];
        Outputs = new float[outputNames.Length][];
        _inputValues = new OrtValue[inputNames.Length];
        _outputValues = new OrtValue[outputNames.Length];
        try
        {
            for (var i = 0; i < inputNames.Length; i++)
                (Inputs[i], _inputValues[i]) = Bind(session.InputMetadata, inputNames[i], "input");
            for (var i = 0; i < outputNames.Length; i++)
                (Outputs[i], _outputValues[i]) = Bind(session.OutputMetadata, outputNames[i], "output");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Input buffers (fill before <see cref="Run"/>), in the order of the names given.</summary>
    public float[][] Inputs { get; }

    /// <summary>Output buffers (valid after <see cref="Run"/>), in the order of the names given.</summary>
    public float[][] Outputs { get; }

    /// <summary>Runs the model on the current input buffers, writing into the output buffers.</summary>
    public void Run() => _session.Run(_runOptions, _inputNames, _inputValues, _outputNames, _outputValues);

    private static (float[] Buffer, OrtValue Value) Bind(IReadOnlyDictionary<string, NodeMetadata> meta, string name, string kind)
    {
        if (!meta.TryGetValue(name, out var m))
            throw new InvalidOperationException($"The model has no {kind} named '{name}' (it has: {string.Join(", ", meta.Keys)}).");
        if (m.ElementType != typeof(float))
            throw new InvalidOperationException($"Model {kind} '{name}' is {m.ElementType.Name}, expected float.");
        var shape = m.Dimensions.Select(d => d > 0 ? (long)d
            : throw new InvalidOperationException($"Model {kind} '{name}' has a dynamic dimension; a fixed shape is required.")).ToArray();
        var buffer = new float[shape.Aggregate(1L, (a, b) => a * b)];
        return (buffer, OrtValue.CreateTensorValueFromMemory(buffer, shape));
    }

    public void Dispose()
    {
        foreach (var v in _inputValues) v?.Dispose();
        foreach (var v in _outputValues) v?.Dispose();
        _runOptions.Dispose();
    }
}
