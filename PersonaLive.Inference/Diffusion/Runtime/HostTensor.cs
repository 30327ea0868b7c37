using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace PersonaLive.Inference.Diffusion.Runtime;

/// <summary>
/// A host tensor the engine fills or reads as floats, wrapped once by an <see cref="OrtValue"/> of the
/// model's element type. For fp32 models the value aliases <see cref="Data"/> (no copy); for fp16 models it
/// wraps a half buffer that <see cref="Commit"/> fills before a run and <see cref="Fetch"/> reads after.
/// </summary>
public sealed class HostTensor : IDisposable
{
    private readonly Float16[]? _half;

    public HostTensor(long[] shape, bool fp16)
    {
        Shape = shape;
        var n = checked((int)shape.Aggregate(1L, (a, b) => a * b));
        Data = new float[n];
        if (fp16)
        {
            _half = new Float16[n];
            Value = OrtValue.CreateTensorValueFromMemory(_half, shape);
        }
        else
        {
            Value = OrtValue.CreateTensorValueFromMemory(Data, shape);
        }
    }

    public long[] Shape { get; }

    /// <summary>The float view the engine writes (inputs) or reads (outputs).</summary>
    public float[] Data { get; }

    public OrtValue Value { get; }

    /// <summary>Makes <see cref="Value"/> reflect <see cref="Data"/> (fp16: converts).</summary>
    public void Commit()
    {
        if (_half is null) return;
        System.Numerics.Tensors.TensorPrimitives.ConvertToHalf(Data, MemoryMarshal.Cast<Float16, Half>(_half.AsSpan()));
    }

    /// <summary>Makes <see cref="Data"/> reflect <see cref="Value"/> (fp16: converts).</summary>
    public void Fetch()
    {
        if (_half is null) return;
        System.Numerics.Tensors.TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<Float16, Half>(_half.AsSpan()), Data);
    }

    public void Dispose() => Value.Dispose();
}

/// <summary>Runs one network with preallocated host tensors (inputs in, outputs out), allocation-free per call.</summary>
public sealed class NetworkRunner(InferenceSession session, string[] inputNames, string[] outputNames) : IDisposable
{
    private readonly RunOptions _options = new();
    private readonly OrtValue[] _in = new OrtValue[inputNames.Length];
    private readonly OrtValue[] _out = new OrtValue[outputNames.Length];

    /// <summary>Commits <paramref name="inputs"/>, runs, fetches <paramref name="outputs"/> (same order as the names).</summary>
    public void Run(ReadOnlySpan<HostTensor> inputs, ReadOnlySpan<HostTensor> outputs)
    {
        for (var i = 0; i < inputs.Length; i++) { inputs[i].Commit(); _in[i] = inputs[i].Value; }
        for (var i = 0; i < outputs.Length; i++) _out[i] = outputs[i].Value;
        session.Run(_options, inputNames, _in, outputNames, _out);
        foreach (var o in outputs) o.Fetch();
    }

    public void Dispose() => _options.Dispose();
}
