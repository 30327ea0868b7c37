namespace PersonaLive.Inference.Tflite;

/// <summary>
/// PRELU without the ONNX <c>PRelu</c> operator. ONNX Runtime's CPU <c>PRelu</c> with a per-channel slope is a slow
/// broadcast loop and its blocked (NCHWc) convolution layout does not cover it, so every PRELU also cost a reorder
/// out of that layout and back: in the face landmark model the 23 PRELUs took more time than its 45 convolutions.
/// Written as <c>s*x + (1-s)*relu(x)</c> (equal to <c>x</c> where <c>x &gt;= 0</c> and to <c>s*x</c> below, for any
/// slope sign or size), it is two 1x1 depthwise convolutions (per-channel scales) and an Add, which the runtime
/// fuses into its blocked convolutions; the results differ from <c>PRelu</c> only by float rounding.
/// Slopes that are not one value per channel (broadcast over height and width) keep the plain operator.
/// </summary>
public sealed partial class TfliteToOnnxConverter
{
    private void Prelu(TfliteOperator op)
    {
        var output = _m.Tensors[op.Outputs[0]];
        var slopeTensor = _m.Tensors[op.Inputs[1]];
        var channels = output.Shape.Length == 4 ? output.Shape[3] : -1;
        if (channels <= 0 || !_constants.TryGetValue(op.Inputs[1], out var slope) || slope.Length != channels
            || slopeTensor.Shape.Length == 0 || slopeTensor.Shape[^1] != channels || op.Activation != TfliteActivation.None)
        {
            Elementwise(op, "PRelu", 2);
            return;
        }
        var x = Get(op.Inputs[0], Layout.Nchw);
        var name = Out(op, 0);
        var keep = new float[channels];
        for (var c = 0; c < channels; c++) keep[c] = 1 - slope[c];
        var scaled = Scale(x, slope, $"{name}_sx");
        var relu = name + "_relu_in";
        _g.AddNode("Relu", [x], [relu]);
        var kept = Scale(relu, keep, $"{name}_kr");
        _g.AddNode("Add", [kept, scaled], [name]);
        _values[op.Outputs[0]] = (name, Layout.Nchw);
    }

    /// <summary>Per-channel multiply of an NCHW value as a 1x1 depthwise convolution (group = channels).</summary>
    private string Scale(string input, float[] factors, string output)
    {
        var weights = _g.AddInitializer($"{output}_w{_g.Initializers.Count}", factors, factors.Length, 1, 1, 1);
        _g.AddNode("Conv", [input, weights], [output])
            .Attr("kernel_shape", new long[] { 1, 1 })
            .Attr("group", (long)factors.Length);
        return output;
    }
}
