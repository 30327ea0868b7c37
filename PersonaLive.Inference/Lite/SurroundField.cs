using System.Numerics;
using System.Runtime.InteropServices;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Lite;

/// <summary>
/// How everything around the face (hair, ears, neck, background) moves: a backward map on a regular grid of
/// output nodes (every <see cref="Step"/> pixels), interpolated bilinearly inside each cell. Each node's displacement is the
/// inverse-distance blend of the face outline's displacements, scaled by b / (b + d) (b = distance to the
/// frame border, d = distance to the moved outline), so it matches the outline near the face and fades to
/// zero at the frame border. Because the grid is fixed in the output and the map runs output -> portrait,
/// every output pixel gets exactly one source position and neighbouring pixels get neighbouring ones: no
/// holes, no folds, no tears, by construction. No allocation per frame.
/// </summary>
public sealed class SurroundField
{
    public const int Step = 16;

    /// <summary>Face outline (MediaPipe silhouette) in order around the face.</summary>
    public static readonly int[] Outline =
        [10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109];

    private readonly int _size, _nodesPerSide;

    public SurroundField(int size)
    {
        _size = size;
        _nodesPerSide = size / Step + 1;
        var n = _nodesPerSide * _nodesPerSide;
        Nodes = new Vector2[n];
        Sources = new Vector2[n];
        for (var j = 0; j < _nodesPerSide; j++)
            for (var i = 0; i < _nodesPerSide; i++)
                Nodes[j * _nodesPerSide + i] = new Vector2(Math.Min(i * Step, size), Math.Min(j * Step, size));
    }

    /// <summary>Output positions of the grid nodes (fixed).</summary>
    public Vector2[] Nodes { get; }

    /// <summary>Portrait positions the nodes sample, after <see cref="Update"/>.</summary>
    public Vector2[] Sources { get; }

    /// <summary>
    /// The portrait position the field maps output point <paramref name="q"/> to, interpolated bilinearly between
    /// the four nodes of its cell exactly as <see cref="Render"/> does, so geometry that meets the field there is seamless.
    /// </summary>
    public Vector2 SourceAt(Vector2 q)
    {
        var cells = _nodesPerSide - 1;
        var gx = Math.Clamp(q.X / Step, 0, cells - 1e-4f);
        var gy = Math.Clamp(q.Y / Step, 0, cells - 1e-4f);
        int i = (int)gx, j = (int)gy;
        var a = j * _nodesPerSide + i;
        var top = Vector2.Lerp(Sources[a], Sources[a + 1], gx - i);
        var bottom = Vector2.Lerp(Sources[a + _nodesPerSide], Sources[a + _nodesPerSide + 1], gx - i);
        return Vector2.Lerp(top, bottom, gy - j);
    }

    /// <summary>
    /// Draws the whole frame through the field from <paramref name="texture"/> into <paramref name="output"/>
    /// (both at least 2x2; output the field's size): row by row, the bilinear map is linear across each cell,
    /// so every cell's part of a row is one <see cref="BilinearSpan"/> run.
    /// </summary>
    public void Render(RgbaImage texture, RgbaImage output)
    {
        if (output.Width != _size || output.Height != _size) throw new ArgumentException($"The output must be {_size}x{_size}.", nameof(output));
        var s = MemoryMarshal.Cast<byte, uint>(texture.Pixels);
        var d = MemoryMarshal.Cast<byte, uint>(output.Pixels);
        var cells = _nodesPerSide - 1;
        for (var y = 0; y < _size; y++)
        {
            var j = Math.Min(y / Step, cells - 1);
            var fy = (y + 0.5f) / Step - j;
            var row = d.Slice(y * _size, _size);
            var a = j * _nodesPerSide;
            var left = Vector2.Lerp(Sources[a], Sources[a + _nodesPerSide], fy);
            for (var i = 0; i < cells; i++)
            {
                var right = Vector2.Lerp(Sources[a + i + 1], Sources[a + i + 1 + _nodesPerSide], fy);
                var step = (right - left) / Step;
                var start = left + 0.5f * step - new Vector2(0.5f); // pixel centre of the cell's first column; source centres at integers
                BilinearSpan.Sample(s, texture.Width, texture.Height, row, i * Step, i == cells - 1 ? _size : (i + 1) * Step, start.X, start.Y, step.X, step.Y);
                left = right;
            }
        }
    }

    /// <summary>Recomputes <see cref="Sources"/> from the face points' portrait and target positions.</summary>
    public void Update(ReadOnlySpan<Vector3> portrait, ReadOnlySpan<Vector2> targets)
    {
        Span<Vector2> moved = stackalloc Vector2[Outline.Length];
        Span<Vector2> shift = stackalloc Vector2[Outline.Length];
        for (var k = 0; k < Outline.Length; k++)
        {
            var i = Outline[k];
            moved[k] = targets[i];
            shift[k] = new Vector2(portrait[i].X, portrait[i].Y) - targets[i];
        }
        for (var n = 0; n < Nodes.Length; n++)
        {
            var p = Nodes[n];
            Vector2 sum = default;
            float weights = 0, nearest = float.MaxValue;
            for (var k = 0; k < moved.Length; k++)
            {
                var d2 = Vector2.DistanceSquared(p, moved[k]);
                nearest = MathF.Min(nearest, d2);
                var w = 1 / (d2 * d2 + 1);
                sum += w * shift[k];
                weights += w;
            }
            var border = MathF.Min(MathF.Min(p.X, _size - p.X), MathF.Min(p.Y, _size - p.Y));
            var fade = border / (border + MathF.Sqrt(nearest) + 1e-3f);
            Sources[n] = p + fade * sum / weights;
        }
    }
}
