using System.Numerics;

namespace PersonaLive.Inference.Lite;

/// <summary>
/// Planar geometry the lite engine's meshes share: point-in-polygon by the even-odd rule (the outlines the rig and the
/// palettes test pixels and triangles against) and the orientation of three points (which side a triangle faces).
/// </summary>
internal static class Polygon
{
    /// <summary>True when <paramref name="q"/> lies inside <paramref name="polygon"/> (even-odd rule; the last vertex joins the first).</summary>
    public static bool Contains(ReadOnlySpan<Vector2> polygon, Vector2 q)
    {
        var inside = false;
        for (int i = 0, j = polygon.Length - 1; i < polygon.Length; j = i++)
        {
            Vector2 a = polygon[i], b = polygon[j];
            if ((a.Y > q.Y) != (b.Y > q.Y) && q.X < a.X + (q.Y - a.Y) * (b.X - a.X) / (b.Y - a.Y)) inside = !inside;
        }
        return inside;
    }

    /// <summary>Twice the signed area of triangle <paramref name="a"/>, <paramref name="b"/>, <paramref name="c"/>: positive when they turn counter-clockwise (y up), 0 when collinear.</summary>
    public static float Cross(Vector2 a, Vector2 b, Vector2 c) => (b.X - a.X) * (c.Y - a.Y) - (b.Y - a.Y) * (c.X - a.X);
}
