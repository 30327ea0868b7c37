using System.Numerics;

namespace PersonaLive.Inference.Lite;

/// <summary>
/// Bowyer-Watson Delaunay triangulation (incremental insertion into a super-triangle, removing every
/// triangle whose circumcircle contains the new point and re-fanning the cavity). O(n^2) in the worst
/// case, which is fine for the ~550 points of a portrait rig computed once per portrait.
/// Points closer than 1e-3 px to an earlier point are skipped (they cannot be distinct vertices).
/// </summary>
public static class Delaunay
{
    /// <summary>Triangles as index triples into <paramref name="points"/>, counter-clockwise in image coordinates.</summary>
    public static List<(int A, int B, int C)> Triangulate(IReadOnlyList<Vector2> points)
    {
        var n = points.Count;
        float minX = float.MaxValue, minY = float.MaxValue, maxX = float.MinValue, maxY = float.MinValue;
        foreach (var p in points)
        {
            minX = Math.Min(minX, p.X); minY = Math.Min(minY, p.Y);
            maxX = Math.Max(maxX, p.X); maxY = Math.Max(maxY, p.Y);
        }
        var span = Math.Max(maxX - minX, maxY - minY) + 1;
        var mid = new Vector2((minX + maxX) / 2, (minY + maxY) / 2);
        // Work in doubles relative to the centre for robust circumcircle tests.
        var pts = new List<(double X, double Y)>(n + 3);
        foreach (var p in points) pts.Add((p.X - mid.X, p.Y - mid.Y));
        pts.Add((-20 * span, -20 * span));
        pts.Add((20 * span, -20 * span));
        pts.Add((0, 20 * span));

        var tris = new List<Tri> { Make(pts, n, n + 1, n + 2) };
        var edges = new Dictionary<(int, int), int>();
        for (var i = 0; i < n; i++)
        {
            var (px, py) = pts[i];
            var duplicate = false;
            for (var j = 0; j < i && !duplicate; j++)
                duplicate = Math.Abs(pts[j].X - px) < 1e-3 && Math.Abs(pts[j].Y - py) < 1e-3;
            if (duplicate) continue;

            edges.Clear();
            for (var t = tris.Count - 1; t >= 0; t--)
            {
                var tri = tris[t];
                var dx = px - tri.Cx;
                var dy = py - tri.Cy;
                if (dx * dx + dy * dy >= tri.R2) continue;
                AddEdge(edges, tri.A, tri.B);
                AddEdge(edges, tri.B, tri.C);
                AddEdge(edges, tri.C, tri.A);
                tris[t] = tris[^1];
                tris.RemoveAt(tris.Count - 1);
            }
            foreach (var ((a, b), count) in edges)
                if (count == 1) tris.Add(Make(pts, a, b, i));
        }

        var result = new List<(int, int, int)>(tris.Count);
        foreach (var t in tris)
        {
            if (t.A >= n || t.B >= n || t.C >= n) continue;
            var (ax, ay) = pts[t.A];
            var (bx, by) = pts[t.B];
            var (cx, cy) = pts[t.C];
            var cross = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
            if (Math.Abs(cross) < 1e-9) continue;
            result.Add(cross > 0 ? (t.A, t.B, t.C) : (t.A, t.C, t.B));
        }
        return result;
    }

    private static void AddEdge(Dictionary<(int, int), int> edges, int a, int b)
    {
        var key = a < b ? (a, b) : (b, a);
        edges[key] = edges.TryGetValue(key, out var c) ? c + 1 : 1;
    }

    private readonly record struct Tri(int A, int B, int C, double Cx, double Cy, double R2);

    private static Tri Make(List<(double X, double Y)> p, int a, int b, int c)
    {
        var (ax, ay) = p[a];
        var (bx, by) = p[b];
        var (cx, cy) = p[c];
        var d = 2 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by));
        if (Math.Abs(d) < 1e-12) return new Tri(a, b, c, 0, 0, double.PositiveInfinity); // degenerate: always re-split
        var a2 = ax * ax + ay * ay;
        var b2 = bx * bx + by * by;
        var c2 = cx * cx + cy * cy;
        var ux = (a2 * (by - cy) + b2 * (cy - ay) + c2 * (ay - by)) / d;
        var uy = (a2 * (cx - bx) + b2 * (ax - cx) + c2 * (bx - ax)) / d;
        return new Tri(a, b, c, ux, uy, (ax - ux) * (ax - ux) + (ay - uy) * (ay - uy));
    }
}
