namespace PersonaLive.Inference.Tflite;

/// <summary>
/// Reads a TFLite flatbuffer (tensorflow/lite/schema/schema.fbs field numbering) into a
/// <see cref="TfliteModel"/>. Only what the converter needs is decoded; unsupported operators are
/// rejected here with their builtin code so nothing is silently mis-converted.
/// </summary>
public static class TfliteReader
{
    public static TfliteModel Read(ReadOnlyMemory<byte> file)
    {
        if (file.Length < 8)
            throw new InvalidDataException("Not a TFLite model: file too short.");
        var ident = System.Text.Encoding.ASCII.GetString(file.Span.Slice(4, 4));
        if (ident != "TFL3")
            throw new InvalidDataException($"Not a TFLite model: file identifier is '{ident}', expected 'TFL3'.");

        var root = FlatBufferTable.Root(file);
        var opcodes = root.TableVector(1).Select(ReadOpcode).ToArray();   // Model.operator_codes
        var subgraphs = root.TableVector(2);                                // Model.subgraphs
        var buffers = root.TableVector(4);                                  // Model.buffers
        if (subgraphs.Length != 1)
            throw new NotSupportedException($"TFLite model has {subgraphs.Length} subgraphs; exactly one is supported.");

        var sg = subgraphs[0];
        var model = new TfliteModel();
        foreach (var t in sg.TableVector(0))                                // SubGraph.tensors
            model.Tensors.Add(ReadTensor(t, buffers));
        model.Inputs.AddRange(sg.Int32Vector(1));
        model.Outputs.AddRange(sg.Int32Vector(2));
        foreach (var op in sg.TableVector(3))                               // SubGraph.operators
        {
            var index = checked((int)op.UInt32(0));                         // Operator.opcode_index
            if (index >= opcodes.Length)
                throw new InvalidDataException($"Operator refers to opcode {index} of {opcodes.Length}.");
            model.Operators.Add(ReadOperator(opcodes[index], op.Int32Vector(1), op.Int32Vector(2), op.Table(4)));
        }
        return model;
    }

    private static int ReadOpcode(FlatBufferTable t)
    {
        // OperatorCode: deprecated_builtin_code (0, int8), custom_code (1), version (2), builtin_code (3, int32).
        // Writers fill one or the other (older ones only the deprecated byte), so the effective code is the max.
        if (t.Has(1)) throw new NotSupportedException($"Custom TFLite operator '{t.String(1)}' is not supported.");
        return Math.Max(t.Int8(0), t.Int32(3));
    }

    private static TfliteTensor ReadTensor(FlatBufferTable t, FlatBufferTable[] buffers)
    {
        // Tensor: shape (0), type (1), buffer (2), name (3), quantization (4).
        var type = t.UInt8(1);
        if (!Enum.IsDefined(typeof(TfliteTensorType), type))
            throw new NotSupportedException($"Tensor '{t.String(3)}' has unsupported TFLite type {type}.");
        var bufferIndex = checked((int)t.UInt32(2));
        byte[]? data = null;
        if (bufferIndex > 0)
        {
            if (bufferIndex >= buffers.Length)
                throw new InvalidDataException($"Tensor '{t.String(3)}' refers to buffer {bufferIndex} of {buffers.Length}.");
            var bytes = buffers[bufferIndex].Bytes(0);                         // Buffer.data
            if (bytes is { Length: > 0 } b) data = b.ToArray();
        }
        return new TfliteTensor(t.String(3) ?? $"tensor_{bufferIndex}", t.Int32Vector(0), (TfliteTensorType)type, data);
    }

    private static TfliteOperator ReadOperator(int code, int[] inputs, int[] outputs, FlatBufferTable? o)
    {
        if (!Enum.IsDefined(typeof(TfliteOp), code))
            throw new NotSupportedException($"TFLite builtin operator {code} is not supported by this converter.");
        var op = (TfliteOp)code;
        var opts = o ?? default;
        bool has = o.HasValue;
        return op switch
        {
            // Conv2DOptions: padding, stride_w, stride_h, fused_activation_function, dilation_w, dilation_h.
            TfliteOp.Conv2D => new TfliteOperator(op, inputs, outputs)
            {
                Padding = (TflitePadding)(has ? opts.UInt8(0) : 0),
                StrideW = has ? opts.Int32(1) : 1,
                StrideH = has ? opts.Int32(2) : 1,
                Activation = (TfliteActivation)(has ? opts.UInt8(3) : 0),
                DilationW = has ? opts.Int32(4, 1) : 1,
                DilationH = has ? opts.Int32(5, 1) : 1,
            },
            // DepthwiseConv2DOptions: padding, stride_w, stride_h, depth_multiplier, activation, dilation_w, dilation_h.
            TfliteOp.DepthwiseConv2D => new TfliteOperator(op, inputs, outputs)
            {
                Padding = (TflitePadding)(has ? opts.UInt8(0) : 0),
                StrideW = has ? opts.Int32(1) : 1,
                StrideH = has ? opts.Int32(2) : 1,
                DepthMultiplier = has ? opts.Int32(3) : 1,
                Activation = (TfliteActivation)(has ? opts.UInt8(4) : 0),
                DilationW = has ? opts.Int32(5, 1) : 1,
                DilationH = has ? opts.Int32(6, 1) : 1,
            },
            // Pool2DOptions: padding, stride_w, stride_h, filter_width, filter_height, activation.
            TfliteOp.MaxPool2D => new TfliteOperator(op, inputs, outputs)
            {
                Padding = (TflitePadding)(has ? opts.UInt8(0) : 0),
                StrideW = has ? opts.Int32(1) : 1,
                StrideH = has ? opts.Int32(2) : 1,
                FilterW = has ? opts.Int32(3) : 1,
                FilterH = has ? opts.Int32(4) : 1,
                Activation = (TfliteActivation)(has ? opts.UInt8(5) : 0),
            },
            // ConcatenationOptions: axis, activation.
            TfliteOp.Concatenation => new TfliteOperator(op, inputs, outputs)
            {
                Axis = has ? opts.Int32(0) : 0,
                Activation = (TfliteActivation)(has ? opts.UInt8(1) : 0),
            },
            // AddOptions: activation.
            TfliteOp.Add => new TfliteOperator(op, inputs, outputs) { Activation = (TfliteActivation)(has ? opts.UInt8(0) : 0) },
            _ => new TfliteOperator(op, inputs, outputs),
        };
    }
}
