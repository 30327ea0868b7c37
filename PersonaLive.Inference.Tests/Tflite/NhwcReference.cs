namespace PersonaLive.Inference.Tests.Tflite;

/// <summary>
/// A deliberately naive NHWC (batch 1) evaluator of the TFLite ops, written from the TFLite op
/// definitions, used as the reference the converted ONNX graphs are compared with.
/// </summary>
internal sealed record NhwcTensor(int H, int W, int C, float[] Data)
{
    public float this[int y, int x, int c] => Data[(y * W + x) * C + c];
    public static NhwcTensor Zeros(int h, int w, int c) => new(h, w, c, new float[h * w * c]);
}

internal static class NhwcReference
{
    /// <summary>TFLite SAME: out = ceil(in/stride), padding before = total/2 (the extra pixel goes after).</summary>
    public static (int Out, int Before) Same(int size, int k, int stride)
    {
        var output = (size + stride - 1) / stride;
        var total = Math.Max((output - 1) * stride + k - size, 0);
        return (output, total / 2);
    }

    public static (int Out, int Before) Geometry(bool same, int size, int k, int stride) =>
        same ? Same(size, k, stride) : ((size - k) / stride + 1, 0);

    /// <summary>Weights OHWI [o][ky][kx][i].</summary>
    public static NhwcTensor Conv(NhwcTensor x, float[] w, int o, int kh, int kw, float[]? bias, int stride, bool same)
    {
        var (oh, top) = Geometry(same, x.H, kh, stride);
        var (ow, left) = Geometry(same, x.W, kw, stride);
        var r = NhwcTensor.Zeros(oh, ow, o);
        for (var y = 0; y < oh; y++)
            for (var xx = 0; xx < ow; xx++)
                for (var oc = 0; oc < o; oc++)
                {
                    double s = bias?[oc] ?? 0;
                    for (var ky = 0; ky < kh; ky++)
                        for (var kx = 0; kx < kw; kx++)
                        {
                            int iy = y * stride + ky - top, ix = xx * stride + kx - left;
                            if (iy < 0 || ix < 0 || iy >= x.H || ix >= x.W) continue;
                            for (var ic = 0; ic < x.C; ic++)
                                s += x[iy, ix, ic] * w[((oc * kh + ky) * kw + kx) * x.C + ic];
                        }
                    r.Data[(y * ow + xx) * o + oc] = (float)s;
                }
        return r;
    }

    /// <summary>Weights [1][ky][kx][c].</summary>
    public static NhwcTensor Depthwise(NhwcTensor x, float[] w, int kh, int kw, float[]? bias, int stride, bool same)
    {
        var (oh, top) = Geometry(same, x.H, kh, stride);
        var (ow, left) = Geometry(same, x.W, kw, stride);
        var r = NhwcTensor.Zeros(oh, ow, x.C);
        for (var y = 0; y < oh; y++)
            for (var xx = 0; xx < ow; xx++)
                for (var c = 0; c < x.C; c++)
                {
                    double s = bias?[c] ?? 0;
                    for (var ky = 0; ky < kh; ky++)
                        for (var kx = 0; kx < kw; kx++)
                        {
                            int iy = y * stride + ky - top, ix = xx * stride + kx - left;
                            if (iy >= 0 && ix >= 0 && iy < x.H && ix < x.W) s += x[iy, ix, c] * w[(ky * kw + kx) * x.C + c];
                        }
                    r.Data[(y * ow + xx) * x.C + c] = (float)s;
                }
        return r;
    }

    public static NhwcTensor MaxPool(NhwcTensor x, int k, int stride, bool same)
    {
        var (oh, top) = Geometry(same, x.H, k, stride);
        var (ow, left) = Geometry(same, x.W, k, stride);
        var r = NhwcTensor.Zeros(oh, ow, x.C);
        for (var y = 0; y < oh; y++)
            for (var xx = 0; xx < ow; xx++)
                for (var c = 0; c < x.C; c++)
                {
                    var m = float.NegativeInfinity;
                    for (var ky = 0; ky < k; ky++)
                        for (var kx = 0; kx < k; kx++)
                        {
                            int iy = y * stride + ky - top, ix = xx * stride + kx - left;
                            if (iy >= 0 && ix >= 0 && iy < x.H && ix < x.W) m = Math.Max(m, x[iy, ix, c]);
                        }
                    r.Data[(y * ow + xx) * x.C + c] = m;
                }
        return r;
    }

    /// <summary>Zero padding; pads = [top, bottom, left, right, channelsBefore, channelsAfter].</summary>
    public static NhwcTensor Pad(NhwcTensor x, int top, int bottom, int left, int right, int c0, int c1)
    {
        var r = NhwcTensor.Zeros(x.H + top + bottom, x.W + left + right, x.C + c0 + c1);
        for (var y = 0; y < x.H; y++)
            for (var xx = 0; xx < x.W; xx++)
                for (var c = 0; c < x.C; c++)
                    r.Data[((y + top) * r.W + xx + left) * r.C + c + c0] = x[y, xx, c];
        return r;
    }

    public static NhwcTensor Map(NhwcTensor x, Func<float, int, float> f) =>
        new(x.H, x.W, x.C, [.. x.Data.Select((v, i) => f(v, i % x.C))]);

    public static NhwcTensor Add(NhwcTensor a, NhwcTensor b) => new(a.H, a.W, a.C, [.. a.Data.Zip(b.Data, (p, q) => p + q)]);

    public static NhwcTensor ConcatChannels(NhwcTensor a, NhwcTensor b)
    {
        var r = NhwcTensor.Zeros(a.H, a.W, a.C + b.C);
        for (var p = 0; p < a.H * a.W; p++)
        {
            Array.Copy(a.Data, p * a.C, r.Data, p * r.C, a.C);
            Array.Copy(b.Data, p * b.C, r.Data, p * r.C + a.C, b.C);
        }
        return r;
    }
}
