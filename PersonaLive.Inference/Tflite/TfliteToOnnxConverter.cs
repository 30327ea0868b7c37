using System.Buffers.Binary;
using System.Runtime.InteropServices;
using PersonaLive.Inference.Onnx;

namespace PersonaLive.Inference.Tflite;

/// <summary>
/// Converts a <see cref="TfliteModel"/> to ONNX (opset 17) for exactly the operators the MediaPipe face
/// models use: ADD, CONCATENATION, CONV_2D, DEPTHWISE_CONV_2D, DEQUANTIZE (of constants), MAX_POOL_2D, PAD,
/// PRELU, RELU, RESHAPE; anything else throws <see cref="NotSupportedException"/>.
/// Activations stay NCHW inside the graph (ONNX's convolution layout). Traps handled (docs/lite-engine.md):
/// TFLite SAME padding is asymmetric, so pads are explicit with the extra pixel at the end; values are
/// transposed back to NHWC before RESHAPE and graph outputs so element order matches TFLite; PRELU/ADD
/// constants are broadcast-reshaped to NCHW; depthwise weights [1,H,W,C] become [C,1,H,W] with group C;
/// convolution weights OHWI become OIHW; internal values get unique names (t{index}) so they never clash
/// with graph input/output names. PRELU with per-channel slopes becomes convolutions and a ReLU
/// (<see cref="Prelu"/>) so the runtime's blocked-layout convolution path covers the whole network.
/// </summary>
public sealed partial class TfliteToOnnxConverter
{
    private enum Layout { Plain, Nchw }

    private readonly TfliteModel _m;
    private readonly OnnxGraph _g;
    private readonly Dictionary<int, (string Name, Layout Layout)> _values = [];
    private readonly Dictionary<int, float[]> _constants = [];
    private readonly Dictionary<(int, Layout), string> _views = [];

    private TfliteToOnnxConverter(TfliteModel model, string graphName)
    {
        _m = model;
        _g = new OnnxGraph(graphName);
    }

    /// <summary>Converts <paramref name="model"/>; graph inputs and outputs keep their TFLite names and NHWC shapes.</summary>
    public static OnnxModel Convert(TfliteModel model, string graphName = "converted")
    {
        ArgumentNullException.ThrowIfNull(model);
        var c = new TfliteToOnnxConverter(model, graphName);
        c.Run();
        return new OnnxModel(c._g, 17) { DocString = "Converted from TFLite by PersonaLive.Inference." };
    }

    private void Run()
    {
        for (var i = 0; i < _m.Tensors.Count; i++)
        {
            var t = _m.Tensors[i];
            if (!t.IsConstant) continue;
            _constants[i] = t.Type switch
            {
                TfliteTensorType.Float32 => MemoryMarshal.Cast<byte, float>(t.Data).ToArray(),
                _ => null!,
            };
            if (_constants[i] is null) _constants.Remove(i);
        }
        foreach (var input in _m.Inputs)
        {
            var t = _m.Tensors[input];
            if (t.Type != TfliteTensorType.Float32)
                throw new NotSupportedException($"Graph input '{t.Name}' is {t.Type}; only float32 inputs are supported.");
            _g.Inputs.Add(OnnxValueInfo.Tensor(t.Name, OnnxDataType.Float, [.. t.Shape.Select(d => (long)d)]));
            _values[input] = (t.Name, Layout.Plain);
        }
        foreach (var op in _m.Operators) Convert(op);
        foreach (var output in _m.Outputs)
        {
            var t = _m.Tensors[output];
            _g.AddNode("Identity", [Get(output, Layout.Plain)], [t.Name]);
            _g.Outputs.Add(OnnxValueInfo.Tensor(t.Name, OnnxDataType.Float, [.. t.Shape.Select(d => (long)d)]));
        }
    }

    private void Convert(TfliteOperator op)
    {
        switch (op.Op)
        {
            case TfliteOp.Dequantize: FoldDequantize(op); return;
            case TfliteOp.Conv2D: Conv(op, depthwise: false); break;
            case TfliteOp.DepthwiseConv2D: Conv(op, depthwise: true); break;
            case TfliteOp.MaxPool2D: MaxPool(op); break;
            case TfliteOp.Pad: Pad(op); break;
            case TfliteOp.Relu: Elementwise(op, "Relu", 1); break;
            case TfliteOp.Prelu: Prelu(op); break;
            case TfliteOp.Add: Elementwise(op, "Add", 2); break;
            case TfliteOp.Concatenation: Concat(op); break;
            case TfliteOp.Reshape: Reshape(op); break;
            default: throw new NotSupportedException($"TFLite operator {op.Op} is not supported.");
        }
    }

    private void FoldDequantize(TfliteOperator op)
    {
        var src = _m.Tensors[op.Inputs[0]];
        if (!src.IsConstant || src.Type != TfliteTensorType.Float16)
            throw new NotSupportedException($"DEQUANTIZE of '{src.Name}' ({src.Type}, constant: {src.IsConstant}) is not supported; only constant fp16 weights are.");
        var data = new float[src.ElementCount];
        for (var i = 0; i < data.Length; i++)
            data[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src.Data.AsSpan(2 * i));
        _constants[op.Outputs[0]] = data;
    }

    private void Conv(TfliteOperator op, bool depthwise)
    {
        var x = _m.Tensors[op.Inputs[0]];
        var wt = _m.Tensors[op.Inputs[1]];
        var w = Constant(op.Inputs[1]);
        int kh = wt.Shape[1], kw = wt.Shape[2], cin = x.Shape[3];
        float[] weights;
        long[] dims;
        int group = 1;
        if (depthwise)
        {
            // [1, KH, KW, C*M] -> [C*M, 1, KH, KW], group C.
            if (op.DepthMultiplier != 1 || wt.Shape[3] != cin)
                throw new NotSupportedException($"Depthwise convolution with multiplier {op.DepthMultiplier} is not supported.");
            weights = Transpose(w, [1, kh, kw, cin], [3, 0, 1, 2]);
            dims = [cin, 1, kh, kw];
            group = cin;
        }
        else
        {
            // OHWI -> OIHW.
            if (wt.Shape[3] != cin)
                throw new NotSupportedException($"Grouped convolution ({wt.Shape[3]} vs {cin} input channels) is not supported.");
            weights = Transpose(w, wt.Shape, [0, 3, 1, 2]);
            dims = [wt.Shape[0], cin, kh, kw];
        }
        var inputs = new List<string> { Get(op.Inputs[0], Layout.Nchw), _g.AddInitializer($"w{op.Inputs[1]}_{_g.Initializers.Count}", weights, dims) };
        if (op.Inputs.Length > 2 && op.Inputs[2] >= 0)
            inputs.Add(_g.AddInitializer($"b{op.Inputs[2]}_{_g.Initializers.Count}", Constant(op.Inputs[2]), dims[0]));
        var (pads, _) = SamePads(op, x.Shape, kh, kw);
        var node = _g.AddNode("Conv", inputs, [Out(op, 0)])
            .Attr("kernel_shape", new long[] { kh, kw })
            .Attr("strides", new long[] { op.StrideH, op.StrideW })
            .Attr("dilations", new long[] { op.DilationH, op.DilationW })
            .Attr("pads", pads)
            .Attr("group", (long)group);
        _ = node;
        Activate(op, Layout.Nchw);
    }

    private void MaxPool(TfliteOperator op)
    {
        var x = _m.Tensors[op.Inputs[0]];
        var (pads, _) = SamePads(op, x.Shape, op.FilterH, op.FilterW);
        _g.AddNode("MaxPool", [Get(op.Inputs[0], Layout.Nchw)], [Out(op, 0)])
            .Attr("kernel_shape", new long[] { op.FilterH, op.FilterW })
            .Attr("strides", new long[] { op.StrideH, op.StrideW })
            .Attr("pads", pads);
        Activate(op, Layout.Nchw);
    }

    /// <summary>TFLite SAME: output = ceil(in / stride); total padding split with the extra pixel at the end.</summary>
    private static (long[] Pads, bool Asymmetric) SamePads(TfliteOperator op, int[] nhwc, int kh, int kw)
    {
        if (op.Padding == TflitePadding.Valid) return ([0, 0, 0, 0], false);
        static (long Begin, long End) Axis(int size, int k, int stride, int dilation)
        {
            var effective = (k - 1) * dilation + 1;
            var output = (size + stride - 1) / stride;
            var total = Math.Max((output - 1) * stride + effective - size, 0);
            return (total / 2, total - total / 2);
        }
        var (top, bottom) = Axis(nhwc[1], kh, op.StrideH, op.DilationH);
        var (left, right) = Axis(nhwc[2], kw, op.StrideW, op.DilationW);
        return ([top, left, bottom, right], top != bottom || left != right);
    }

    private void Pad(TfliteOperator op)
    {
        var x = _m.Tensors[op.Inputs[0]];
        var padTensor = _m.Tensors[op.Inputs[1]];
        if (!padTensor.IsConstant || padTensor.Type != TfliteTensorType.Int32)
            throw new NotSupportedException("PAD needs constant int32 paddings.");
        var p = MemoryMarshal.Cast<byte, int>(padTensor.Data).ToArray();
        var rank = x.Shape.Length;
        var layout = rank == 4 ? Layout.Nchw : Layout.Plain;
        int[] order = layout == Layout.Nchw ? [0, 3, 1, 2] : [.. Enumerable.Range(0, rank)];
        var pads = new long[2 * rank];
        for (var i = 0; i < rank; i++)
        {
            pads[i] = p[2 * order[i]];
            pads[rank + i] = p[2 * order[i] + 1];
        }
        var padsName = _g.AddInitializer($"pads{op.Inputs[1]}_{_g.Initializers.Count}", pads, pads.Length);
        _g.AddNode("Pad", [Get(op.Inputs[0], layout), padsName], [Out(op, 0)]).Attr("mode", "constant");
        _values[op.Outputs[0]] = (Out(op, 0), layout);
    }

    private void Elementwise(TfliteOperator op, string onnxOp, int arity)
    {
        var outRank = _m.Tensors[op.Outputs[0]].Shape.Length;
        var layout = outRank == 4 ? Layout.Nchw : Layout.Plain;
        var inputs = op.Inputs.Take(arity).Select(i => Get(i, layout)).ToArray();
        _g.AddNode(onnxOp, inputs, [Out(op, 0)]);
        Activate(op, layout);
    }

    private void Concat(TfliteOperator op)
    {
        var rank = _m.Tensors[op.Outputs[0]].Shape.Length;
        var axis = op.Axis < 0 ? op.Axis + rank : op.Axis;
        var layout = rank == 4 ? Layout.Nchw : Layout.Plain;
        long onnxAxis = layout == Layout.Nchw ? new long[] { 0, 2, 3, 1 }[axis] : axis;
        _g.AddNode("Concat", op.Inputs.Select(i => Get(i, layout)), [Out(op, 0)]).Attr("axis", onnxAxis);
        Activate(op, layout);
    }

    private void Reshape(TfliteOperator op)
    {
        var shape = _m.Tensors[op.Outputs[0]].Shape.Select(d => (long)d).ToArray();
        var shapeName = _g.AddInitializer($"shape{op.Outputs[0]}", shape, shape.Length);
        _g.AddNode("Reshape", [Get(op.Inputs[0], Layout.Plain), shapeName], [Out(op, 0)]);
        _values[op.Outputs[0]] = (Out(op, 0), Layout.Plain);
    }

    /// <summary>Registers the op's output, appending its fused activation if any.</summary>
    private void Activate(TfliteOperator op, Layout layout)
    {
        var name = Out(op, 0);
        switch (op.Activation)
        {
            case TfliteActivation.None: break;
            case TfliteActivation.Relu:
                _g.AddNode("Relu", [name], [name + "_relu"]);
                name += "_relu";
                break;
            default:
                throw new NotSupportedException($"Fused activation {op.Activation} on {op.Op} is not supported.");
        }
        _values[op.Outputs[0]] = (name, layout);
    }

    private static string Out(TfliteOperator op, int i) => $"t{op.Outputs[i]}";

    private float[] Constant(int tensor) =>
        _constants.TryGetValue(tensor, out var c) ? c
            : throw new NotSupportedException($"Tensor '{_m.Tensors[tensor].Name}' must be a constant float32/fp16 weight.");

    /// <summary>The ONNX name of <paramref name="tensor"/> in <paramref name="want"/> layout, inserting transposes once.</summary>
    private string Get(int tensor, Layout want)
    {
        var t = _m.Tensors[tensor];
        if (_constants.TryGetValue(tensor, out var data))
        {
            if (_views.TryGetValue((tensor, want), out var cached)) return cached;
            var shape = t.Shape;
            string name;
            if (want == Layout.Nchw && shape.Length <= 4)
            {
                // Broadcast like NHWC: left-pad to rank 4, then transpose to NCHW.
                var padded = Enumerable.Repeat(1, 4 - shape.Length).Concat(shape).ToArray();
                name = _g.AddInitializer($"c{tensor}_nchw", Transpose(data, padded, [0, 3, 1, 2]), padded[0], padded[3], padded[1], padded[2]);
            }
            else name = _g.AddInitializer($"c{tensor}", data, [.. shape.Select(d => (long)d)]);
            _views[(tensor, want)] = name;
            return name;
        }
        if (!_values.TryGetValue(tensor, out var v))
            throw new InvalidDataException($"Tensor '{t.Name}' is used before it is produced.");
        if (v.Layout == want || t.Shape.Length != 4) return v.Name;
        if (_views.TryGetValue((tensor, want), out var view)) return view;
        var viewName = $"{v.Name}_{(want == Layout.Nchw ? "nchw" : "nhwc")}";
        _g.AddNode("Transpose", [v.Name], [viewName]).Attr("perm", want == Layout.Nchw ? new long[] { 0, 3, 1, 2 } : [0, 2, 3, 1]);
        _views[(tensor, want)] = viewName;
        return viewName;
    }

    /// <summary>Permutes a dense row-major array: output axis i is input axis perm[i].</summary>
    internal static float[] Transpose(float[] data, int[] shape, int[] perm)
    {
        var rank = shape.Length;
        var outShape = perm.Select(p => shape[p]).ToArray();
        var inStrides = new int[rank];
        for (int i = rank - 1, s = 1; i >= 0; s *= shape[i], i--) inStrides[i] = s;
        var result = new float[data.Length];
        var idx = new int[rank];
        for (var o = 0; o < result.Length; o++)
        {
            var src = 0;
            for (var i = 0; i < rank; i++) src += idx[i] * inStrides[perm[i]];
            result[o] = data[src];
            for (var i = rank - 1; i >= 0; i--)
            {
                if (++idx[i] < outShape[i]) break;
                idx[i] = 0;
            }
        }
        return result;
    }
}
