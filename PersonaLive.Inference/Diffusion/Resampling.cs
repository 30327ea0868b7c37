using System.Numerics.Tensors;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Diffusion;

/// <summary>
/// The resamplers the pipeline needs, on planar float images: PyTorch's bilinear with half-pixel centres
/// and no antialias (face crops to 224, driving frames 512 to 256; port-notes §5.2, §5.3), and an
/// antialiased triangle-filter resize from RGBA (camera frames and the CLIP input; the official CLIP
/// bicubic resize is matched in spirit, not bit for bit, as port-notes §9 allows). The portrait's VAE and
/// motion-extractor inputs use the exact PIL Lanczos rule instead (<see cref="LanczosResizer"/>).
/// </summary>
public static class Resampling
{
    /// <summary>
    /// Bilinear resize of the box <paramref name="box"/> of each of 3 planes (planar, <paramref name="srcSize"/>
    /// square) to <paramref name="dstSize"/> square, written to frame <paramref name="frame"/> of a
    /// (3, frames, dst, dst) tensor. Source coordinate (i + 0.5)·in/out − 0.5, clamped below at 0;
    /// the far neighbour index is clamped to the box's last pixel.
    /// </summary>
    public static void CropBilinear(ReadOnlySpan<float> src, int srcSize, FaceBox box, Span<float> dst, int dstSize, int frames, int frame,
        float scale = 1, float offset = 0)
    {
        if (box.IsEmpty) throw new ArgumentException("Empty crop box.", nameof(box));
        int w = box.X2 - box.X1, h = box.Y2 - box.Y1;
        Span<int> x0 = stackalloc int[dstSize];
        Span<int> x1 = stackalloc int[dstSize];
        Span<float> fx = stackalloc float[dstSize];
        Axis(w, dstSize, x0, x1, fx);
        Span<int> y0 = stackalloc int[dstSize];
        Span<int> y1 = stackalloc int[dstSize];
        Span<float> fy = stackalloc float[dstSize];
        Axis(h, dstSize, y0, y1, fy);
        var srcPlane = srcSize * srcSize;
        var dstPlane = dstSize * dstSize;
        for (var c = 0; c < 3; c++)
        {
            var s = src.Slice(c * srcPlane, srcPlane);
            var d = dst.Slice((c * frames + frame) * dstPlane, dstPlane);
            for (var j = 0; j < dstSize; j++)
            {
                var r0 = s.Slice((box.Y1 + y0[j]) * srcSize + box.X1);
                var r1 = s.Slice((box.Y1 + y1[j]) * srcSize + box.X1);
                var wy = fy[j];
                var o = j * dstSize;
                for (var i = 0; i < dstSize; i++)
                {
                    var top = r0[x0[i]] + (r0[x1[i]] - r0[x0[i]]) * fx[i];
                    var bottom = r1[x0[i]] + (r1[x1[i]] - r1[x0[i]]) * fx[i];
                    d[o + i] = (top + (bottom - top) * wy) * scale + offset;
                }
            }
        }
    }

    private static void Axis(int inSize, int outSize, Span<int> i0, Span<int> i1, Span<float> frac)
    {
        var ratio = (float)inSize / outSize;
        for (var i = 0; i < outSize; i++)
        {
            var x = Math.Max((i + 0.5f) * ratio - 0.5f, 0);
            var lo = Math.Min((int)x, inSize - 1);
            i0[i] = lo;
            i1[i] = Math.Min(lo + 1, inSize - 1);
            frac[i] = x - lo;
        }
    }
}

/// <summary>
/// Antialiased resize of the centred square of an RGBA image to planar float RGB (value/255·scale + offset),
/// with a triangle filter whose support widens with the shrink factor (PIL's "bilinear" rule). Weight
/// tables are cached for the last size pair, so a steady stream of equal-sized frames allocates nothing.
/// Not thread-safe: one instance per engine.
/// </summary>
public sealed class SquareResizer
{
    private int _in = -1, _out = -1;
    private int[] _start = [], _count = [];
    private float[] _weights = [];
    private int _taps;
    private float[] _rows = [];
    private float[] _line = [];

    /// <summary>
    /// Resizes the centred square of <paramref name="src"/> to <paramref name="size"/> square into three
    /// planes of <paramref name="dst"/> (plane stride size²), optionally mirrored left-right.
    /// </summary>
    public void Resize(RgbaImage src, int size, Span<float> dst, float scale, float offset, bool mirror = false)
    {
        var side = Math.Min(src.Width, src.Height);
        int ox = (src.Width - side) / 2, oy = (src.Height - side) / 2;
        Prepare(side, size);
        if (_rows.Length < side * size * 3) _rows = new float[side * size * 3];
        var px = src.Pixels;
        var plane = side * size;
        // Horizontal pass: each source row deinterleaved to floats, then `size` weighted sums per channel.
        if (_line.Length < side * 3) _line = new float[side * 3];
        for (var y = 0; y < side; y++)
        {
            var row = px.Slice(((oy + y) * src.Width + ox) * 4, side * 4);
            var lr = _line.AsSpan(0, side);
            var lg = _line.AsSpan(side, side);
            var lb = _line.AsSpan(2 * side, side);
            for (var x = 0; x < side; x++)
            {
                var q = 4 * (mirror ? side - 1 - x : x);
                lr[x] = row[q];
                lg[x] = row[q + 1];
                lb[x] = row[q + 2];
            }
            var o = y * size;
            var rows = _rows;
            var weights = _weights;
            for (var i = 0; i < size; i++)
            {
                int s = _start[i], n = _count[i], wi = i * _taps;
                float r = 0, g = 0, b = 0;
                for (var k = 0; k < n; k++)
                {
                    var ww = weights[wi + k];
                    r += lr[s + k] * ww;
                    g += lg[s + k] * ww;
                    b += lb[s + k] * ww;
                }
                rows[o + i] = r;
                rows[plane + o + i] = g;
                rows[2 * plane + o + i] = b;
            }
        }
        // Vertical pass: each output row is a weighted sum of whole intermediate rows (vectorised).
        var k255 = scale / 255f;
        var dstPlane = size * size;
        for (var c = 0; c < 3; c++)
        {
            var srcC = _rows.AsSpan(c * plane, plane);
            var d = dst.Slice(c * dstPlane, dstPlane);
            for (var j = 0; j < size; j++)
            {
                var w = _weights.AsSpan(j * _taps, _count[j]);
                var s = _start[j];
                var row = d.Slice(j * size, size);
                TensorPrimitives.Multiply(srcC.Slice(s * size, size), w[0] * k255, row);
                for (var k = 1; k < w.Length; k++) TensorPrimitives.MultiplyAdd(srcC.Slice((s + k) * size, size), w[k] * k255, row, row);
                if (offset != 0) TensorPrimitives.Add(row, offset, row);
            }
        }
    }

    private void Prepare(int inSize, int outSize)
    {
        if (inSize == _in && outSize == _out) return;
        var ratio = (double)inSize / outSize;
        var support = Math.Max(ratio, 1.0);
        _taps = (int)Math.Ceiling(support) * 2 + 1;
        _start = new int[outSize];
        _count = new int[outSize];
        _weights = new float[outSize * _taps];
        var w = new double[_taps + 2];
        for (var i = 0; i < outSize; i++)
        {
            var centre = (i + 0.5) * ratio;
            var lo = Math.Max((int)Math.Floor(centre - support), 0);
            var hi = Math.Min((int)Math.Ceiling(centre + support), inSize);
            double total = 0;
            var n = 0;
            for (var x = lo; x < hi && n < _taps; x++, n++)
            {
                var d = Math.Abs((x + 0.5 - centre) / support);
                w[n] = Math.Max(0, 1 - d);
                total += w[n];
            }
            // Trim zero-weight taps at the front.
            var first = 0;
            while (first < n - 1 && w[first] == 0) first++;
            _start[i] = lo + first;
            _count[i] = n - first;
            for (var k = first; k < n; k++) _weights[i * _taps + k - first] = (float)(total > 0 ? w[k] / total : 0);
        }
        _in = inSize;
        _out = outSize;
    }
}
