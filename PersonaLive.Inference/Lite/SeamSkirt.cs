using System.Numerics;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Lite;

/// <summary>
/// Blends the seam between the face mesh and the <see cref="SurroundField"/>: a band of triangles from the face
/// outline outwards (<see cref="WidthShare"/> of the face's mean radius). Its inner edge samples the portrait
/// exactly where the face mesh's outline does, its outer edge exactly where the surround field does at that
/// output point, so the warp is continuous across the band instead of jumping where the two meet (the field
/// only approximates the outline's motion between its grid nodes). Drawn over the field, under the face.
/// Triangles the outline folds over (the far cheek of a turned head) are left out; the field shows there.
/// No allocation per frame.
/// </summary>
public sealed class SeamSkirt
{
    public const float WidthShare = 0.1f;

    private static readonly int[] Outline = SurroundField.Outline;
    private readonly Vector2[] _src = new Vector2[2 * Outline.Length];
    private readonly Vector2[] _dst = new Vector2[2 * Outline.Length];
    private readonly int[] _triangles = new int[6 * Outline.Length];
    private int _count;

    /// <summary>Builds the band for the current face targets and field, and draws it from <paramref name="texture"/>.</summary>
    public void Draw(RgbaImage texture, ReadOnlySpan<Vector2> sources, ReadOnlySpan<Vector2> targets, SurroundField field, RgbaImage output)
    {
        var n = Outline.Length;
        var centre = Vector2.Zero;
        foreach (var i in Outline) centre += targets[i];
        centre /= n;
        var radius = 0f;
        foreach (var i in Outline) radius += Vector2.Distance(targets[i], centre);
        var width = WidthShare * radius / n;
        var area = 0f;
        for (var k = 0; k < n; k++) area += Cross(targets[Outline[k]], targets[Outline[(k + 1) % n]]);
        var orientation = MathF.Sign(area);
        for (var k = 0; k < n; k++)
        {
            var p = targets[Outline[k]];
            var chord = targets[Outline[(k + 1) % n]] - targets[Outline[(k + n - 1) % n]];
            var normal = chord.LengthSquared() > 1e-6f ? Vector2.Normalize(new Vector2(chord.Y, -chord.X)) : Vector2.Normalize(p - centre + Vector2.UnitX * 1e-3f);
            if (Vector2.Dot(normal, p - centre) < 0) normal = -normal;
            _dst[k] = p;
            _src[k] = sources[Outline[k]];
            _dst[n + k] = p + width * normal;
            _src[n + k] = field.SourceAt(_dst[n + k]);
        }
        _count = 0;
        for (var k = 0; k < n; k++)
        {
            int a = k, b = (k + 1) % n, c = n + b, d = n + k;
            Add(a, b, c, orientation);
            Add(a, c, d, orientation);
        }
        MeshRasterizer.Render(texture, _src, _dst, _triangles.AsSpan(0, _count), output);
    }

    private void Add(int a, int b, int c, float orientation)
    {
        // An outward band's triangles wind against the outline; one that winds with it was folded over by the
        // outline turning over, and is skipped.
        var w = (_dst[b].X - _dst[a].X) * (_dst[c].Y - _dst[a].Y) - (_dst[b].Y - _dst[a].Y) * (_dst[c].X - _dst[a].X);
        if (w * orientation >= 0) return;
        (_triangles[_count], _triangles[_count + 1], _triangles[_count + 2]) = (a, b, c);
        _count += 3;
    }

    private static float Cross(Vector2 a, Vector2 b) => a.X * b.Y - a.Y * b.X;
}
