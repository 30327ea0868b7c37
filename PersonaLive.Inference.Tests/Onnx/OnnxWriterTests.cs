using Microsoft.ML.OnnxRuntime;
using PersonaLive.Inference.Onnx;

namespace PersonaLive.Inference.Tests.Onnx;

/// <summary>The ONNX writer's output is read by ONNX Runtime and computes what the graph says.</summary>
public sealed class OnnxWriterTests
{
    [Fact]
    public void WrittenModelRunsWithAttributesInitializersAndSymbolicDims()
    {
        // y = Reshape(LeakyRelu(x, alpha=0.5) + bias, [-1, 6]), x: [batch, 2, 3] with a symbolic batch.
        var g = new OnnxGraph("writer_test");
        g.Inputs.Add(new OnnxValueInfo("x", OnnxDataType.Float, [null, 2, 3]) { DimParams = ["batch", null, null] });
        g.Outputs.Add(new OnnxValueInfo("y", OnnxDataType.Float, [null, 6]));
        g.AddInitializer("bias", [1f, 2f, 3f], 3);
        g.AddInitializer("shape", new long[] { -1, 6 }, 2);
        g.AddNode("LeakyRelu", ["x"], ["l"]).Attr("alpha", 0.5f);
        g.AddNode("Add", ["l", "bias"], ["a"]);
        g.AddNode("Reshape", ["a", "shape"], ["r"]);
        g.AddNode("Transpose", ["r"], ["t"]).Attr("perm", new long[] { 1, 0 });
        g.AddNode("Transpose", ["t"], ["y"]).Attr("perm", new long[] { 1, 0 });
        var bytes = new OnnxModel(g, 18).ToBytes();

        using var session = new InferenceSession(bytes);
        Assert.Equal(-1, session.InputMetadata["x"].Dimensions[0]);
        float[] x = [-2, 0, 2, 4, -4, 1, 1, 1, 1, 1, 1, 1];
        using var value = OrtValue.CreateTensorValueFromMemory(x, [2, 2, 3]);
        using var ro = new RunOptions();
        using var outs = session.Run(ro, ["x"], [value], ["y"]);
        float[] expected = [0, 2, 5, 5, 0, 4, 2, 3, 4, 2, 3, 4];
        Assert.Equal(expected, outs[0].GetTensorDataAsSpan<float>().ToArray());
        Assert.Equal([2L, 6L], outs[0].GetTensorTypeAndShape().Shape);
    }

    [Fact]
    public void InitializerSizeMismatchIsRejected()
    {
        var g = new OnnxGraph("bad");
        Assert.Throws<ArgumentException>(() => g.AddInitializer("w", [1f, 2f], 3));
    }
}
