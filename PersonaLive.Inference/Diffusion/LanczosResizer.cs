using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Diffusion;

/// <summary>
/// The portrait's resize as the official pipeline does it (port-notes §5.1): its image processor hands the
/// portrait to PIL's Lanczos resize (a = 3), which works on 8-bit pixels in two passes, horizontal then
/// vertical, each rounding back to 8 bits with fixed-point weights. Matching that rule to the integer
/// gives the official 8-bit values exactly, and hence the official float tensors bit for bit: the
/// motion extractor is sensitive to the portrait's resize (a triangle filter in its place moved the
/// transferred keypoints by up to 8.4e-4 and flipped keypoint discs in the parity run, port-notes §11).
/// Works on the centred square of the image, as the rest of the engine does. Not thread-safe.
/// </summary>
public sealed class LanczosResizer
{
    private const int PrecisionBits = 22;   // 32 bits minus 8 for the value minus 2 for overshoot
    private const double Support = 3;
    private readonly Axis _axis = new();
    private byte[] _wide = [];

    /// <summary>How the 8-bit result becomes floats.</summary>
    public enum Range
    {
        /// <summary>[-1, 1] as the image processor normalises it: (v/255)·2 − 1, each step in fp32 (the VAE input).</summary>
        Signed,

        /// <summary>[0, 1] as the runner maps the normalised tensor back: ((v/255)·2 − 1)/2 + 0.5 (the motion extractor's input).</summary>
        Unit,
    }

    /// <summary>
    /// Resizes the centred square of <paramref name="src"/> to <paramref name="size"/> square into three
    /// planes of <paramref name="dst"/> (plane stride size²), mapped to <paramref name="range"/>.
    /// </summary>
    public void Resize(RgbaImage src, int size, Span<float> dst, Range range)
    {
        ArgumentNullException.ThrowIfNull(src);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        var levels = new byte[3 * size * size];
        ResizeLevels(src, size, levels);
        Span<float> table = stackalloc float[256];
        for (var v = 0; v < 256; v++)
        {
            var signed = v / 255f * 2f - 1f;
            table[v] = range == Range.Signed ? signed : signed / 2f + 0.5f;
        }
        for (var i = 0; i < levels.Length; i++) dst[i] = table[levels[i]];
    }

    /// <summary>The 8-bit result of the resize, planar RGB (3 x size x size).</summary>
    public void ResizeLevels(RgbaImage src, int size, Span<byte> dst)
    {
        ArgumentNullException.ThrowIfNull(src);
        var side = Math.Min(src.Width, src.Height);
        int ox = (src.Width - side) / 2, oy = (src.Height - side) / 2;
        var px = src.Pixels;
        if (side == size)
        {
            // PIL returns a copy when the size does not change.
            for (var y = 0; y < size; y++)
                for (var x = 0; x < size; x++)
                    for (var c = 0; c < 3; c++) dst[(c * size + y) * size + x] = px[((oy + y) * src.Width + ox + x) * 4 + c];
            return;
        }
        _axis.Prepare(side, size);
        // Horizontal pass over every source row of the square, into 8 bits (planar, side rows x size columns).
        if (_wide.Length < 3 * side * size) _wide = new byte[3 * side * size];
        for (var y = 0; y < side; y++)
            for (var x = 0; x < size; x++)
            {
                int first = _axis.First[x], n = _axis.Count[x], wi = x * _axis.Taps;
                for (var c = 0; c < 3; c++)
                {
                    var sum = 1 << (PrecisionBits - 1);
                    for (var k = 0; k < n; k++) sum += px[((oy + y) * src.Width + ox + first + k) * 4 + c] * _axis.Weights[wi + k];
                    _wide[(c * side + y) * size + x] = Clip(sum);
                }
            }
        // Vertical pass.
        for (var c = 0; c < 3; c++)
            for (var y = 0; y < size; y++)
            {
                int first = _axis.First[y], n = _axis.Count[y], wi = y * _axis.Taps;
                for (var x = 0; x < size; x++)
                {
                    var sum = 1 << (PrecisionBits - 1);
                    for (var k = 0; k < n; k++) sum += _wide[(c * side + first + k) * size + x] * _axis.Weights[wi + k];
                    dst[(c * size + y) * size + x] = Clip(sum);
                }
            }
    }

    // Arithmetic shift (floor), then clamp to 0..255.
    private static byte Clip(int sum) => (byte)Math.Clamp(sum >> PrecisionBits, 0, 255);

    private static double Lanczos(double x)
    {
        if (x < -Support || x >= Support) return 0;
        return Sinc(x) * Sinc(x / Support);
    }

    private static double Sinc(double x)
    {
        if (x == 0) return 1;
        x *= Math.PI;
        return Math.Sin(x) / x;
    }

    /// <summary>Fixed-point weights of one axis: for each output pixel its first source pixel and taps.</summary>
    private sealed class Axis
    {
        private int _in = -1, _out = -1;

        public int[] First { get; private set; } = [];
        public int[] Count { get; private set; } = [];
        public int[] Weights { get; private set; } = [];
        public int Taps { get; private set; }

        public void Prepare(int inSize, int outSize)
        {
            if (inSize == _in && outSize == _out) return;
            var scale = (double)inSize / outSize;
            var filterScale = Math.Max(scale, 1.0);
            var support = Support * filterScale;
            var step = 1.0 / filterScale;   // PIL multiplies by the reciprocal; dividing could differ in the last bit
            Taps = (int)Math.Ceiling(support) * 2 + 1;
            First = new int[outSize];
            Count = new int[outSize];
            Weights = new int[outSize * Taps];
            var w = new double[Taps];
            for (var i = 0; i < outSize; i++)
            {
                var centre = (i + 0.5) * scale;
                // Window ends rounded half up (truncation of a value + 0.5), clamped to the image.
                var lo = Math.Max((int)(centre - support + 0.5), 0);
                var n = Math.Min((int)(centre + support + 0.5), inSize) - lo;
                double total = 0;
                for (var k = 0; k < n; k++)
                {
                    w[k] = Lanczos((k + lo - centre + 0.5) * step);
                    total += w[k];
                }
                First[i] = lo;
                Count[i] = n;
                for (var k = 0; k < n; k++)
                {
                    var v = total != 0 ? w[k] / total : w[k];
                    Weights[i * Taps + k] = (int)(v < 0 ? -0.5 + v * (1 << PrecisionBits) : 0.5 + v * (1 << PrecisionBits));
                }
            }
            _in = inSize;
            _out = outSize;
        }
    }
}
