using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.Inference.Onnx;

namespace PersonaLive.Inference.Tests.Onnx;

public sealed class SharedOnnxSessionsTests
{
    private static OnnxModel Identity()
    {
        var g = new OnnxGraph("id");
        g.Inputs.Add(OnnxValueInfo.Tensor("x", OnnxDataType.Float, 1, 4));
        g.Outputs.Add(OnnxValueInfo.Tensor("y", OnnxDataType.Float, 1, 4));
        g.AddNode("Relu", ["x"], ["y"]);
        return new OnnxModel(g);
    }

    [Fact]
    public void OneSessionPerModelSharedByRunnersWithTheirOwnBuffers()
    {
        var dir = Directory.CreateTempSubdirectory("personalive-ort-");
        try
        {
            var path = Path.Combine(dir.FullName, "id.onnx");
            using var sessions = new SharedOnnxSessions(NullLogger<SharedOnnxSessions>.Instance);
            Assert.Throws<FileNotFoundException>(() => sessions.Get(path));
            Identity().Save(path); // a failed load is not cached
            var s1 = sessions.Get(path);
            Assert.Same(s1, sessions.Get(Path.Combine(dir.FullName, ".", "id.onnx")));

            using var a = new FixedShapeRunner(s1, ["x"], ["y"]);
            using var b = new FixedShapeRunner(s1, ["x"], ["y"]);
            float[] xa = [1, -2, 3, -4];
            float[] xb = [-1, 2, -3, 4];
            xa.CopyTo(a.Inputs[0], 0);
            xb.CopyTo(b.Inputs[0], 0);
            a.Run();
            b.Run();
            Assert.Equal([1f, 0, 3, 0], a.Outputs[0]);
            Assert.Equal([0f, 2, 0, 4], b.Outputs[0]);
            var ex = Assert.Throws<InvalidOperationException>(() => new FixedShapeRunner(s1, ["nope"], ["y"]));
            Assert.Contains("x", ex.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
