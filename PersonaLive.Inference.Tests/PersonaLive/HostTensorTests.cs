using PersonaLive.Inference.Diffusion;
using PersonaLive.Inference.Diffusion.ModelSet;
using PersonaLive.Inference.Diffusion.Runtime;
using PersonaLive.Inference.Onnx;

namespace PersonaLive.Inference.Tests.Diffusion;

/// <summary>fp16 tensors through ONNX Runtime, and the TensorRT profile the fused step gets.</summary>
public sealed class HostTensorTests
{
    [Fact]
    public void Fp16TensorsRoundTripThroughAnFp16Graph()
    {
        var g = new OnnxGraph("half");
        g.Inputs.Add(OnnxValueInfo.Tensor("x", OnnxDataType.Float16, 2, 3));
        g.Outputs.Add(OnnxValueInfo.Tensor("y", OnnxDataType.Float16, 2, 3));
        g.AddNode("Identity", ["x"], ["y"]);
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(new OnnxModel(g).ToBytes());
        using var input = new HostTensor([2, 3], fp16: true);
        using var output = new HostTensor([2, 3], fp16: true);
        float[] values = [0.1f, -2.5f, 1000.3f, 1e-5f, 65504f, 0.33333334f];
        values.CopyTo(input.Data, 0);
        using var runner = new NetworkRunner(session, ["x"], ["y"]);
        runner.Run([input], [output]);
        for (var i = 0; i < values.Length; i++) Assert.Equal((float)(Half)values[i], output.Data[i]);
        Assert.NotEqual(values[0], output.Data[0]); // really went through half precision
    }

    [Fact]
    public void Fp32TensorsAliasTheirBuffers()
    {
        using var t = new HostTensor([1, 4], fp16: false);
        t.Data[2] = 7;
        Assert.Equal(7f, t.Value.GetTensorDataAsSpan<float>()[2]);
    }

    [Fact]
    public void TensorRtProfileCoversOneToFourTimesTheReferenceLengths()
    {
        using var set = new TinySet();
        var g = ModelGeometry.From(ModelSetManifest.Load(set.ManifestPath));
        var o = PersonaLiveSessions.TensorRtOptions(ModelSetContract.FusedStep, g, fp16: true, "/var/cache/trt");
        Assert.Equal("1", o["trt_fp16_enable"]);
        Assert.Equal("/var/cache/trt", o["trt_engine_cache_path"]);
        Assert.Contains("d00:1x64x4,", o["trt_profile_min_shapes"]);
        Assert.Contains("d00:1x128x4,", o["trt_profile_opt_shapes"]);
        Assert.Contains("m:1x4x16,", o["trt_profile_max_shapes"]);
        Assert.Contains("pose:1x3x4x64x64", o["trt_profile_max_shapes"]);
        Assert.DoesNotContain("trt_profile_min_shapes", PersonaLiveSessions.TensorRtOptions(ModelSetContract.VaeEncoder, g, false, "/var/cache/trt").Keys);
    }
}
