using PersonaLive.Inference.Onnx;

namespace PersonaLive.Inference.Diffusion.Tiny;

/// <summary>
/// A thin helper over <see cref="OnnxGraph"/> for the tiny synthetic networks: unique value names,
/// constants, and the few operators they use (opset 17). Weights are deterministic functions of a seed.
/// </summary>
internal sealed class TinyGraph(string name)
{
    private int _next;

    public OnnxGraph Graph { get; } = new(name);

    public string Fresh(string hint) => $"{hint}_{_next++}";

    /// <summary>Deterministic pseudo-random weights in [-scale, scale].</summary>
    public static float[] Weights(int count, int seed, float scale)
    {
        var w = new float[count];
        for (var i = 0; i < count; i++)
        {
            var v = Math.Sin((i + 1) * 12.9898 + seed * 78.233) * 43758.5453;
            w[i] = (float)((v - Math.Floor(v)) * 2 - 1) * scale;
        }
        return w;
    }

    public string Const(float[] data, params long[] dims) => Graph.AddInitializer(Fresh("c"), data, dims);
    public string Scalar(float v) => Const([v]);
    public string Ints(params long[] v) => Graph.AddInitializer(Fresh("i"), v, v.Length);

    public string Op(string op, params string[] inputs) { var o = Fresh(op); Graph.AddNode(op, inputs, [o]); return o; }
    public string Op(string op, string[] inputs, Action<OnnxNode> attrs) { var o = Fresh(op); attrs(Graph.AddNode(op, inputs, [o])); return o; }

    /// <summary>Renames a value to a graph output name via Identity.</summary>
    public void Output(string value, string outputName) => Graph.AddNode("Identity", [value], [outputName]);

    public string Mean(string x, params long[] axes) => Op("ReduceMean", [x], n => n.Attr("axes", axes).Attr("keepdims", 1L));
    public string MeanAll(string x) => Op("ReduceMean", [x], n => n.Attr("keepdims", 0L));
    public string Slice(string x, long axis, long start, long end) => Op("Slice", x, Ints(start), Ints(end), Ints(axis));
    public string Squeeze(string x, long axis) => Op("Squeeze", x, Ints(axis));
    public string Pool(string x, long[] kernel) => Op("AveragePool", [x], n => n.Attr("kernel_shape", kernel).Attr("strides", kernel));
    public string Concat(long axis, params string[] xs) => Op("Concat", xs, n => n.Attr("axis", axis));
    public string Scale(string x, float k) => Op("Mul", x, Scalar(k));

    /// <summary>
    /// Makes a float32 graph take and return float16 at its boundary: each graph input is cast to float32
    /// before its first use and each graph output is cast from float32 last (the body is unchanged).
    /// </summary>
    public static void CastInterfaceToHalf(OnnxGraph graph)
    {
        var inputs = graph.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var outputs = graph.Outputs.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            for (var i = 0; i < node.Inputs.Length; i++)
                if (inputs.Contains(node.Inputs[i]) || outputs.Contains(node.Inputs[i])) node.Inputs[i] += "__f32";
            for (var i = 0; i < node.Outputs.Length; i++)
                if (outputs.Contains(node.Outputs[i])) node.Outputs[i] += "__f32";
        }
        var casts = inputs.Select(n => new OnnxNode("Cast", [n], [n + "__f32"]) { Name = "cast_in_" + n }.Attr("to", (long)OnnxDataType.Float));
        graph.Nodes.InsertRange(0, casts);
        foreach (var n in outputs)
            graph.Nodes.Add(new OnnxNode("Cast", [n + "__f32"], [n]) { Name = "cast_out_" + n }.Attr("to", (long)OnnxDataType.Float16));
    }
}
