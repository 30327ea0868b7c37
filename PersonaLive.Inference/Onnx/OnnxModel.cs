using System.Runtime.InteropServices;

namespace PersonaLive.Inference.Onnx;

/// <summary>ONNX <c>TensorProto.DataType</c> values used by our writers (onnx.proto, enum DataType).</summary>
public enum OnnxDataType
{
    Float = 1,
    UInt8 = 2,
    Int8 = 3,
    Int32 = 6,
    Int64 = 7,
    Bool = 9,
    Float16 = 10,
    Double = 11,
}

/// <summary>
/// An in-memory ONNX model (one graph plus opset imports) that <see cref="OnnxProtoWriter"/> serialises to
/// the standard protobuf encoding. Shared by the TFLite converter and by the generators of small synthetic
/// test models, so it stays a general-purpose description, not tied to either.
/// </summary>
public sealed class OnnxModel
{
    public OnnxModel(OnnxGraph graph, int opset = 17)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentOutOfRangeException.ThrowIfLessThan(opset, 17);
        Graph = graph;
        Opset = opset;
    }

    public OnnxGraph Graph { get; }

    /// <summary>Default-domain opset version (17 or later).</summary>
    public int Opset { get; }

    /// <summary>IR version: 8 matches opset 17; ONNX Runtime reads newer ones too.</summary>
    public long IrVersion { get; init; } = 8;

    public string ProducerName { get; init; } = "PersonaLive";
    public string ProducerVersion { get; init; } = "1";
    public string? DocString { get; init; }

    /// <summary>Extra opset imports (domain, version), e.g. <c>com.microsoft</c>.</summary>
    public List<KeyValuePair<string, long>> ExtraOpsets { get; } = [];

    /// <summary>Protobuf bytes of the model (what <c>InferenceSession</c> and <c>onnx.load</c> read).</summary>
    public byte[] ToBytes() => OnnxProtoWriter.Serialize(this);

    /// <summary>Writes the model atomically (temp file + rename) so a crash never leaves half a model.</summary>
    public void Save(string path)
    {
        var tmp = path + ".tmp";
        File.WriteAllBytes(tmp, ToBytes());
        File.Move(tmp, path, overwrite: true);
    }
}

/// <summary>A computation graph: nodes in topological order, constant initializers and typed inputs/outputs.</summary>
public sealed class OnnxGraph(string name)
{
    public string Name { get; } = name;
    public List<OnnxNode> Nodes { get; } = [];
    public List<OnnxTensor> Initializers { get; } = [];
    public List<OnnxValueInfo> Inputs { get; } = [];
    public List<OnnxValueInfo> Outputs { get; } = [];

    /// <summary>Optional shape/type annotations of intermediate values.</summary>
    public List<OnnxValueInfo> ValueInfos { get; } = [];

    /// <summary>Appends a node and returns it so attributes can be chained.</summary>
    public OnnxNode AddNode(string opType, IEnumerable<string> inputs, IEnumerable<string> outputs, string? name = null)
    {
        var node = new OnnxNode(opType, [.. inputs], [.. outputs]) { Name = name ?? $"{opType}_{Nodes.Count}" };
        Nodes.Add(node);
        return node;
    }

    /// <summary>Adds a float initializer and returns its name.</summary>
    public string AddInitializer(string name, ReadOnlySpan<float> data, params long[] dims)
    {
        Initializers.Add(OnnxTensor.FromFloats(name, data, dims));
        return name;
    }

    /// <summary>Adds an int64 initializer and returns its name.</summary>
    public string AddInitializer(string name, ReadOnlySpan<long> data, params long[] dims)
    {
        Initializers.Add(OnnxTensor.FromInt64(name, data, dims));
        return name;
    }
}

/// <summary>One operator invocation. Empty input names mean "optional input omitted", as in ONNX.</summary>
public sealed class OnnxNode(string opType, string[] inputs, string[] outputs)
{
    public string OpType { get; } = opType;
    public string[] Inputs { get; } = inputs;
    public string[] Outputs { get; } = outputs;
    public string Name { get; init; } = opType;
    public string Domain { get; init; } = "";
    public List<OnnxAttribute> Attributes { get; } = [];

    public OnnxNode Attr(string name, long value) { Attributes.Add(OnnxAttribute.Int(name, value)); return this; }
    public OnnxNode Attr(string name, float value) { Attributes.Add(OnnxAttribute.Float(name, value)); return this; }
    public OnnxNode Attr(string name, string value) { Attributes.Add(OnnxAttribute.String(name, value)); return this; }
    public OnnxNode Attr(string name, long[] values) { Attributes.Add(OnnxAttribute.Ints(name, values)); return this; }
    public OnnxNode Attr(string name, float[] values) { Attributes.Add(OnnxAttribute.Floats(name, values)); return this; }
    public OnnxNode Attr(string name, OnnxTensor value) { Attributes.Add(OnnxAttribute.Tensor(name, value)); return this; }
    public OnnxNode Attr(string name, OnnxGraph value) { Attributes.Add(OnnxAttribute.Graph(name, value)); return this; }
}

/// <summary>ONNX <c>AttributeProto.AttributeType</c>.</summary>
public enum OnnxAttributeType { Float = 1, Int = 2, String = 3, Tensor = 4, Graph = 5, Floats = 6, Ints = 7, Strings = 8 }

/// <summary>A node attribute; exactly the member matching <see cref="Type"/> is set.</summary>
public sealed record OnnxAttribute(string Name, OnnxAttributeType Type)
{
    public float F { get; init; }
    public long I { get; init; }
    public string? S { get; init; }
    public OnnxTensor? T { get; init; }
    public OnnxGraph? G { get; init; }
    public float[]? Fs { get; init; }
    public long[]? Is { get; init; }
    public string[]? Ss { get; init; }

    public static OnnxAttribute Float(string name, float v) => new(name, OnnxAttributeType.Float) { F = v };
    public static OnnxAttribute Int(string name, long v) => new(name, OnnxAttributeType.Int) { I = v };
    public static OnnxAttribute String(string name, string v) => new(name, OnnxAttributeType.String) { S = v };
    public static OnnxAttribute Tensor(string name, OnnxTensor v) => new(name, OnnxAttributeType.Tensor) { T = v };
    public static OnnxAttribute Graph(string name, OnnxGraph v) => new(name, OnnxAttributeType.Graph) { G = v };
    public static OnnxAttribute Floats(string name, float[] v) => new(name, OnnxAttributeType.Floats) { Fs = v };
    public static OnnxAttribute Ints(string name, long[] v) => new(name, OnnxAttributeType.Ints) { Is = v };
    public static OnnxAttribute Strings(string name, string[] v) => new(name, OnnxAttributeType.Strings) { Ss = v };
}

/// <summary>A constant tensor stored as little-endian <c>raw_data</c>.</summary>
public sealed class OnnxTensor
{
    public OnnxTensor(string name, OnnxDataType dataType, long[] dims, byte[] rawData)
    {
        Name = name;
        DataType = dataType;
        Dims = dims;
        RawData = rawData;
    }

    public string Name { get; }
    public OnnxDataType DataType { get; }
    public long[] Dims { get; }
    public byte[] RawData { get; }

    public static OnnxTensor FromFloats(string name, ReadOnlySpan<float> data, params long[] dims)
    {
        CheckCount(data.Length, dims);
        return new OnnxTensor(name, OnnxDataType.Float, dims, MemoryMarshal.AsBytes(data).ToArray());
    }

    public static OnnxTensor FromInt64(string name, ReadOnlySpan<long> data, params long[] dims)
    {
        CheckCount(data.Length, dims);
        return new OnnxTensor(name, OnnxDataType.Int64, dims, MemoryMarshal.AsBytes(data).ToArray());
    }

    public static OnnxTensor FromInt32(string name, ReadOnlySpan<int> data, params long[] dims)
    {
        CheckCount(data.Length, dims);
        return new OnnxTensor(name, OnnxDataType.Int32, dims, MemoryMarshal.AsBytes(data).ToArray());
    }

    private static void CheckCount(int count, long[] dims)
    {
        long n = 1;
        foreach (var d in dims) n *= d;
        if (n != count)
            throw new ArgumentException($"Tensor data has {count} elements but dims [{string.Join(",", dims)}] need {n}.");
    }
}

/// <summary>Name, element type and shape of a graph input/output. A null dimension is symbolic (<see cref="DimParams"/>).</summary>
public sealed record OnnxValueInfo(string Name, OnnxDataType ElemType, long?[]? Shape)
{
    /// <summary>Names of symbolic dimensions, parallel to <see cref="Shape"/> (e.g. "batch").</summary>
    public string?[]? DimParams { get; init; }

    public static OnnxValueInfo Tensor(string name, OnnxDataType type, params long[] shape) =>
        new(name, type, [.. shape.Select(d => (long?)d)]);
}
