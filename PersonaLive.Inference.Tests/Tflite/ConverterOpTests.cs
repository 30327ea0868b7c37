using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using PersonaLive.Inference.Tflite;

namespace PersonaLive.Inference.Tests.Tflite;

/// <summary>
/// Op-level checks of the TFLite -> ONNX mapping: small random graphs are described at the
/// intermediate-representation level (<see cref="TfliteModel"/>, what the flatbuffer reader produces),
/// converted, run by ONNX Runtime, and compared with <see cref="NhwcReference"/>. The flatbuffer reader
/// itself is exercised end to end by the real models (keijiro cross-check, landmark tests).
/// Tolerance 1e-4: float32 sums of at most a few hundred products of values in [-1, 1].
/// </summary>
public sealed class ConverterOpTests
{
    private readonly Random _rng = new(42);

    private float[] Random(int n) => [.. Enumerable.Range(0, n).Select(_ => (float)(_rng.NextDouble() * 2 - 1))];

    private static byte[] Bytes(float[] v) => MemoryMarshal.AsBytes(v.AsSpan()).ToArray();

    private static byte[] Half(float[] v) => MemoryMarshal.AsBytes(v.Select(f => (Half)f).ToArray().AsSpan()).ToArray();

    private static float[] RoundToHalf(float[] v) => [.. v.Select(f => (float)(Half)f)];

    [Theory]
    [InlineData(9, 7, 3, 4, 3, 2, true)]    // odd sizes, stride 2: asymmetric SAME padding
    [InlineData(8, 8, 3, 5, 3, 2, true)]    // even sizes, stride 2: pad only at the end
    [InlineData(8, 6, 2, 3, 5, 1, true)]    // 5x5 SAME stride 1
    [InlineData(9, 9, 4, 2, 3, 2, false)]   // VALID
    public void Conv2DWithFp16WeightsAndBias(int h, int w, int cin, int cout, int k, int stride, bool same)
    {
        var m = new TfliteModel();
        var x = m.AddTensor(new("x", [1, h, w, cin], TfliteTensorType.Float32));
        var weights = RoundToHalf(Random(cout * k * k * cin));
        var w16 = m.AddTensor(new("w16", [cout, k, k, cin], TfliteTensorType.Float16, Half(weights)));
        var wf = m.AddTensor(new("w", [cout, k, k, cin], TfliteTensorType.Float32));
        var bias = Random(cout);
        var b = m.AddTensor(new("b", [cout], TfliteTensorType.Float32, Bytes(bias)));
        var expected = NhwcReference.Conv(Input(h, w, cin), weights, cout, k, k, bias, stride, same);
        var input = _lastInput!;
        var y = m.AddTensor(new("w", [1, expected.H, expected.W, cout], TfliteTensorType.Float32)); // same name as the weight: must not clash
        m.Operators.Add(new(TfliteOp.Dequantize, [w16], [wf]));
        m.Operators.Add(new(TfliteOp.Conv2D, [x, wf, b], [y]) { Padding = same ? TflitePadding.Same : TflitePadding.Valid, StrideH = stride, StrideW = stride });
        m.Inputs.Add(x);
        m.Outputs.Add(y);
        AssertClose(expected.Data, RunSingle(m, input, [1, h, w, cin], "x"));
    }

    private float[]? _lastInput;

    private NhwcTensor Input(int h, int w, int c)
    {
        _lastInput = Random(h * w * c);
        return new NhwcTensor(h, w, c, _lastInput);
    }

    [Theory]
    [InlineData(9, 9, 4, 3, 1)]
    [InlineData(10, 7, 6, 5, 2)]
    public void DepthwiseConvThenPreluAndResidualAdd(int h, int w, int c, int k, int stride)
    {
        var m = new TfliteModel();
        var xin = Input(h, w, c);
        var x = m.AddTensor(new("input", [1, h, w, c], TfliteTensorType.Float32));
        var weights = Random(k * k * c);
        var bias = Random(c);
        var alpha = Random(c);
        var dw = NhwcReference.Depthwise(xin, weights, k, k, bias, stride, true);
        var prelu = NhwcReference.Map(dw, (v, ch) => v >= 0 ? v : alpha[ch] * v);
        var added = NhwcReference.Add(prelu, dw);
        var relu = NhwcReference.Map(added, (v, _) => Math.Max(v, 0));

        var wt = m.AddTensor(new("w", [1, k, k, c], TfliteTensorType.Float32, Bytes(weights)));
        var bt = m.AddTensor(new("b", [c], TfliteTensorType.Float32, Bytes(bias)));
        var at = m.AddTensor(new("alpha", [1, 1, c], TfliteTensorType.Float32, Bytes(alpha)));
        int[] shape = [1, dw.H, dw.W, c];
        var t1 = m.AddTensor(new("dw", shape, TfliteTensorType.Float32));
        var t2 = m.AddTensor(new("prelu", shape, TfliteTensorType.Float32));
        var t3 = m.AddTensor(new("add", shape, TfliteTensorType.Float32));
        var t4 = m.AddTensor(new("out", shape, TfliteTensorType.Float32));
        m.Operators.Add(new(TfliteOp.DepthwiseConv2D, [x, wt, bt], [t1]) { Padding = TflitePadding.Same, StrideH = stride, StrideW = stride });
        m.Operators.Add(new(TfliteOp.Prelu, [t1, at], [t2]));
        m.Operators.Add(new(TfliteOp.Add, [t2, t1], [t3]));
        m.Operators.Add(new(TfliteOp.Relu, [t3], [t4]));
        m.Inputs.Add(x);
        m.Outputs.Add(t4);
        AssertClose(relu.Data, RunSingle(m, xin.Data, [1, h, w, c], "input"));
    }

    /// <summary>
    /// PRELU with slopes of either sign, zero and above one (the face landmark model has all of them) equals the reference,
    /// and is built without the <c>PRelu</c> operator, which kept the runtime's blocked convolution layout from covering it.
    /// </summary>
    [Fact]
    public void PreluWithAnySlopeBecomesConvolutions()
    {
        const int h = 5, w = 6, c = 4;
        var m = new TfliteModel();
        var xin = Input(h, w, c);
        float[] alpha = [-1.6f, 0.25f, 1.37f, 0f];
        var expected = NhwcReference.Map(xin, (v, ch) => v >= 0 ? v : alpha[ch] * v);
        var x = m.AddTensor(new("input", [1, h, w, c], TfliteTensorType.Float32));
        var at = m.AddTensor(new("alpha", [1, 1, c], TfliteTensorType.Float32, Bytes(alpha)));
        var y = m.AddTensor(new("y", [1, h, w, c], TfliteTensorType.Float32));
        m.Operators.Add(new(TfliteOp.Prelu, [x, at], [y]));
        m.Inputs.Add(x);
        m.Outputs.Add(y);
        Assert.DoesNotContain(TfliteToOnnxConverter.Convert(m).Graph.Nodes, n => n.OpType == "PRelu");
        AssertClose(expected.Data, RunSingle(m, xin.Data, [1, h, w, c], "input"));
    }

    [Theory]
    [InlineData(9, 7, true)]
    [InlineData(8, 8, false)]
    public void MaxPoolAndChannelPadThenConcat(int h, int w, bool same)
    {
        var m = new TfliteModel();
        const int c = 3;
        var xin = Input(h, w, c);
        var pool = NhwcReference.MaxPool(xin, 2, 2, same);
        var padded = NhwcReference.Pad(pool, 1, 0, 0, 2, 0, 2);   // spatial and BlazeFace-style channel padding
        var concat = NhwcReference.ConcatChannels(padded, padded);

        var x = m.AddTensor(new("input", [1, h, w, c], TfliteTensorType.Float32));
        var p = m.AddTensor(new("pool", [1, pool.H, pool.W, c], TfliteTensorType.Float32));
        var pads = m.AddTensor(new("pads", [4, 2], TfliteTensorType.Int32, MemoryMarshal.AsBytes(new[] { 0, 0, 1, 0, 0, 2, 0, 2 }.AsSpan()).ToArray()));
        var pd = m.AddTensor(new("pad", [1, padded.H, padded.W, padded.C], TfliteTensorType.Float32));
        var cc = m.AddTensor(new("concat", [1, padded.H, padded.W, 2 * padded.C], TfliteTensorType.Float32));
        m.Operators.Add(new(TfliteOp.MaxPool2D, [x], [p]) { Padding = same ? TflitePadding.Same : TflitePadding.Valid, FilterH = 2, FilterW = 2, StrideH = 2, StrideW = 2 });
        m.Operators.Add(new(TfliteOp.Pad, [p, pads], [pd]));
        m.Operators.Add(new(TfliteOp.Concatenation, [pd, pd], [cc]) { Axis = 3 });
        m.Inputs.Add(x);
        m.Outputs.Add(cc);
        AssertClose(concat.Data, RunSingle(m, xin.Data, [1, h, w, c], "input"));
    }

    [Fact]
    public void ReshapeKeepsNhwcElementOrderLikeTheDetectorHeads()
    {
        // Two heads [1,4,4,6] and [1,2,2,12] reshaped to rows of 3 and concatenated on axis 1:
        // the anchor order (y, x, anchor) only survives if values are NHWC again before RESHAPE.
        var m = new TfliteModel();
        var a = Input(4, 4, 6);
        var x = m.AddTensor(new("input", [1, 4, 4, 6], TfliteTensorType.Float32));
        var w1 = Random(6 * 6);
        var w2 = Random(12 * 6);
        var h1 = NhwcReference.Conv(a, w1, 6, 1, 1, null, 1, true);
        var h2 = NhwcReference.Conv(a, w2, 12, 1, 1, null, 2, true);
        var expected = h1.Data.Concat(h2.Data).ToArray();

        var wt1 = m.AddTensor(new("w1", [6, 1, 1, 6], TfliteTensorType.Float32, Bytes(w1)));
        var wt2 = m.AddTensor(new("w2", [12, 1, 1, 6], TfliteTensorType.Float32, Bytes(w2)));
        var c1 = m.AddTensor(new("c1", [1, 4, 4, 6], TfliteTensorType.Float32));
        var c2 = m.AddTensor(new("c2", [1, 2, 2, 12], TfliteTensorType.Float32));
        var r1 = m.AddTensor(new("r1", [1, 32, 3], TfliteTensorType.Float32));
        var r2 = m.AddTensor(new("r2", [1, 16, 3], TfliteTensorType.Float32));
        var outT = m.AddTensor(new("regressors", [1, 48, 3], TfliteTensorType.Float32));
        m.Operators.Add(new(TfliteOp.Conv2D, [x, wt1, -1], [c1]) { Padding = TflitePadding.Same });
        m.Operators.Add(new(TfliteOp.Conv2D, [x, wt2, -1], [c2]) { Padding = TflitePadding.Same, StrideH = 2, StrideW = 2 });
        m.Operators.Add(new(TfliteOp.Reshape, [c1], [r1]));
        m.Operators.Add(new(TfliteOp.Reshape, [c2], [r2]));
        m.Operators.Add(new(TfliteOp.Concatenation, [r1, r2], [outT]) { Axis = 1 });
        m.Inputs.Add(x);
        m.Outputs.Add(outT);
        AssertClose(expected, RunSingle(m, a.Data, [1, 4, 4, 6], "input"));
    }

    [Fact]
    public void UnsupportedOperatorsAndActivationsFailLoudly()
    {
        var m = new TfliteModel();
        var x = m.AddTensor(new("input", [1, 2, 2, 1], TfliteTensorType.Float32));
        var y = m.AddTensor(new("y", [1, 2, 2, 1], TfliteTensorType.Float32));
        m.Inputs.Add(x);
        m.Outputs.Add(y);
        m.Operators.Add(new((TfliteOp)9, [x], [y])); // FULLY_CONNECTED
        Assert.Throws<NotSupportedException>(() => TfliteToOnnxConverter.Convert(m));

        m.Operators[0] = new(TfliteOp.Add, [x, x], [y]) { Activation = TfliteActivation.Tanh };
        Assert.Throws<NotSupportedException>(() => TfliteToOnnxConverter.Convert(m));
    }

    private static float[] RunSingle(TfliteModel m, float[] input, long[] shape, string inputName)
    {
        var onnx = TfliteToOnnxConverter.Convert(m).ToBytes();
        using var session = new InferenceSession(onnx);
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var ro = new RunOptions();
        var outName = session.OutputMetadata.Keys.Single();
        using var outs = session.Run(ro, [inputName], [value], [outName]);
        return outs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4, $"element {i}: expected {expected[i]}, got {actual[i]}");
    }
}
