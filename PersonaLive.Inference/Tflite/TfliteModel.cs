namespace PersonaLive.Inference.Tflite;

/// <summary>TFLite <c>TensorType</c> values (schema.fbs) that the converter understands.</summary>
public enum TfliteTensorType : byte { Float32 = 0, Float16 = 1, Int32 = 2, UInt8 = 3, Int64 = 4 }

/// <summary>TFLite <c>BuiltinOperator</c> codes of the ops the converter supports (schema.fbs numbering).</summary>
public enum TfliteOp
{
    Add = 0,
    Concatenation = 2,
    Conv2D = 3,
    DepthwiseConv2D = 4,
    Dequantize = 6,
    MaxPool2D = 17,
    Relu = 19,
    Reshape = 22,
    Pad = 34,
    Prelu = 54,
}

/// <summary>TFLite <c>Padding</c>: SAME pads asymmetrically (extra pixel at the end), VALID not at all.</summary>
public enum TflitePadding : byte { Same = 0, Valid = 1 }

/// <summary>TFLite <c>ActivationFunctionType</c>.</summary>
public enum TfliteActivation : byte { None = 0, Relu = 1, ReluN1To1 = 2, Relu6 = 3, Tanh = 4, SignBit = 5 }

/// <summary>
/// The intermediate representation the converter works on: the single subgraph of a TFLite model,
/// with tensor shapes in TFLite's NHWC order, constant data as raw little-endian bytes, and each
/// operator's options already decoded. <see cref="TfliteReader"/> fills it from a flatbuffer; tests build
/// it by hand to check the op mapping.
/// </summary>
public sealed class TfliteModel
{
    public List<TfliteTensor> Tensors { get; } = [];
    public List<TfliteOperator> Operators { get; } = [];
    public List<int> Inputs { get; } = [];
    public List<int> Outputs { get; } = [];

    /// <summary>Adds a tensor and returns its index.</summary>
    public int AddTensor(TfliteTensor tensor)
    {
        Tensors.Add(tensor);
        return Tensors.Count - 1;
    }
}

/// <summary>A tensor: NHWC shape, element type, and constant bytes when it is a weight.</summary>
public sealed record TfliteTensor(string Name, int[] Shape, TfliteTensorType Type, byte[]? Data = null)
{
    public bool IsConstant => Data is { Length: > 0 };
    public int ElementCount => Shape.Aggregate(1, (a, b) => a * b);
}

/// <summary>One operator with its input/output tensor indices (-1 = optional input absent) and options.</summary>
public sealed record TfliteOperator(TfliteOp Op, int[] Inputs, int[] Outputs)
{
    public TflitePadding Padding { get; init; } = TflitePadding.Valid;
    public int StrideW { get; init; } = 1;
    public int StrideH { get; init; } = 1;
    public int DilationW { get; init; } = 1;
    public int DilationH { get; init; } = 1;
    public int DepthMultiplier { get; init; } = 1;
    public int FilterW { get; init; } = 1;
    public int FilterH { get; init; } = 1;
    public int Axis { get; init; }
    public TfliteActivation Activation { get; init; } = TfliteActivation.None;
}
