using System.Numerics;

namespace PersonaLive.Inference.Lite;

/// <summary>Point-in-polygon by the even-odd rule, for the outlines the rig and the palettes test pixels and triangles against.</summary>
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
}
