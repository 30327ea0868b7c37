using Google.Protobuf;

namespace PersonaLive.Inference.Onnx;

/// <summary>
/// Serialises <see cref="OnnxModel"/> with Google.Protobuf's <see cref="CodedOutputStream"/>, using the
/// field numbers of onnx.proto (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
/// ValueInfoProto, TypeProto, TensorShapeProto). No generated classes: each nested message is written to
/// its own buffer first so its length prefix is known.
/// </summary>
internal static class OnnxProtoWriter
{
    public static byte[] Serialize(OnnxModel model)
    {
        return Message(o =>
        {
            Int64(o, 1, model.IrVersion);                       // ir_version
            Str(o, 2, model.ProducerName);                      // producer_name
            Str(o, 3, model.ProducerVersion);                   // producer_version
            if (model.DocString is { } doc) Str(o, 6, doc);     // doc_string
            Sub(o, 7, Graph(model.Graph));                      // graph
            Sub(o, 8, OpsetId("", model.Opset));                // opset_import
            foreach (var (domain, version) in model.ExtraOpsets) Sub(o, 8, OpsetId(domain, version));
        });
    }

    private static byte[] OpsetId(string domain, long version) => Message(o =>
    {
        if (domain.Length > 0) Str(o, 1, domain);
        Int64(o, 2, version);
    });

    private static byte[] Graph(OnnxGraph g) => Message(o =>
    {
        foreach (var n in g.Nodes) Sub(o, 1, Node(n));
        Str(o, 2, g.Name);
        foreach (var t in g.Initializers) Sub(o, 5, Tensor(t));
        foreach (var v in g.Inputs) Sub(o, 11, ValueInfo(v));
        foreach (var v in g.Outputs) Sub(o, 12, ValueInfo(v));
        foreach (var v in g.ValueInfos) Sub(o, 13, ValueInfo(v));
    });

    private static byte[] Node(OnnxNode n) => Message(o =>
    {
        foreach (var i in n.Inputs) Str(o, 1, i);
        foreach (var i in n.Outputs) Str(o, 2, i);
        Str(o, 3, n.Name);
        Str(o, 4, n.OpType);
        foreach (var a in n.Attributes) Sub(o, 5, Attribute(a));
        if (n.Domain.Length > 0) Str(o, 7, n.Domain);
    });

    private static byte[] Attribute(OnnxAttribute a) => Message(o =>
    {
        Str(o, 1, a.Name);
        switch (a.Type)
        {
            case OnnxAttributeType.Float: o.WriteTag(2, WireFormat.WireType.Fixed32); o.WriteFloat(a.F); break;
            case OnnxAttributeType.Int: Int64(o, 3, a.I); break;
            case OnnxAttributeType.String: Str(o, 4, a.S!); break;
            case OnnxAttributeType.Tensor: Sub(o, 5, Tensor(a.T!)); break;
            case OnnxAttributeType.Graph: Sub(o, 6, Graph(a.G!)); break;
            case OnnxAttributeType.Floats:
                foreach (var f in a.Fs!) { o.WriteTag(7, WireFormat.WireType.Fixed32); o.WriteFloat(f); }
                break;
            case OnnxAttributeType.Ints:
                foreach (var i in a.Is!) Int64(o, 8, i);
                break;
            case OnnxAttributeType.Strings:
                foreach (var s in a.Ss!) Str(o, 9, s);
                break;
            default: throw new InvalidOperationException($"Unknown attribute type {a.Type}.");
        }
        Int64(o, 20, (long)a.Type);                          // type
    });

    private static byte[] Tensor(OnnxTensor t) => Message(o =>
    {
        foreach (var d in t.Dims) Int64(o, 1, d);            // dims
        Int64(o, 2, (long)t.DataType);                       // data_type
        Str(o, 8, t.Name);                                   // name
        o.WriteTag(9, WireFormat.WireType.LengthDelimited);  // raw_data
        o.WriteBytes(UnsafeByteOperations.UnsafeWrap(t.RawData));
    });

    private static byte[] ValueInfo(OnnxValueInfo v) => Message(o =>
    {
        Str(o, 1, v.Name);
        var tensorType = Message(t =>
        {
            Int64(t, 1, (long)v.ElemType);                   // elem_type
            if (v.Shape is { } shape)
            {
                Sub(t, 2, Message(s =>                       // TensorShapeProto
                {
                    for (var i = 0; i < shape.Length; i++)
                    {
                        var dim = Message(d =>
                        {
                            if (shape[i] is { } value) Int64(d, 1, value);
                            else Str(d, 2, v.DimParams?[i] ?? $"d{i}");
                        });
                        Sub(s, 1, dim);
                    }
                }));
            }
        });
        Sub(o, 2, Message(t => Sub(t, 1, tensorType)));      // TypeProto.tensor_type
    });

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var ms = new MemoryStream();
        using (var o = new CodedOutputStream(ms, leaveOpen: true))
        {
            write(o);
            o.Flush();
        }
        return ms.ToArray();
    }

    private static void Sub(CodedOutputStream o, int field, byte[] message)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(UnsafeByteOperations.UnsafeWrap(message));
    }

    private static void Str(CodedOutputStream o, int field, string value)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteString(value);
    }

    private static void Int64(CodedOutputStream o, int field, long value)
    {
        o.WriteTag(field, WireFormat.WireType.Varint);
        o.WriteInt64(value);
    }
}
