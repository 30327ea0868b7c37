using System.Numerics;

namespace PersonaLive.Inference.Lite;

/// <summary>
/// The face mesh's triangles: the landmarks' Delaunay triangulation cut to the face outline, with every stretch of the
/// outline closed. Delaunay fills the convex hull, so where the outline curves inwards some of its triangles cross an
/// outline edge; keeping them put skin past the outline, dropping them left pockets between the mesh's edge and the
/// outline. At rest the surround field samples the same pixels there, but once the head moves the field only
/// approximates the outline's motion, and those pockets showed as notches in the cheek (hair or background inside the
/// face, the blinking clip's tear score 0.008-0.011 on two portraits). Here triangles crossing the outline are dropped
/// and each pocket (the mesh's boundary between two consecutive outline points) is triangulated by ear clipping, so
/// the mesh ends exactly on the outline polygon and the seam band starts where the mesh does.
/// </summary>
public static class FaceMesh
{
    /// <summary>Triangles over <paramref name="points"/> covering exactly the polygon <paramref name="outline"/> (indices into the points, in order).</summary>
    public static List<(int A, int B, int C)> Triangulate(IReadOnlyList<Vector2> points, int[] outline)
    {
        var oval = outline.Select(i => points[i]).ToArray();
        var kept = Delaunay.Triangulate(points)
            .Where(t => Polygon.Contains(oval, (points[t.A] + points[t.B] + points[t.C]) / 3) && !CrossesOutline(points, outline, t)).ToList();
        var uses = new Dictionary<(int, int), int>();
        foreach (var (a, b, c) in kept)
            foreach (var e in (ReadOnlySpan<(int, int)>)[Key(a, b), Key(b, c), Key(c, a)])
                uses[e] = uses.GetValueOrDefault(e) + 1;
        var boundary = new Dictionary<int, List<int>>();
        foreach (var ((a, b), n) in uses)
        {
            if (n != 1) continue;
            (boundary.TryGetValue(a, out var la) ? la : boundary[a] = []).Add(b);
            (boundary.TryGetValue(b, out var lb) ? lb : boundary[b] = []).Add(a);
        }
        var onOutline = outline.ToHashSet();
        for (var k = 0; k < outline.Length; k++)
        {
            int from = outline[k], to = outline[(k + 1) % outline.Length];
            if (uses.ContainsKey(Key(from, to))) continue;
            var pocket = Path(boundary, onOutline, from, to);
            if (pocket is not null) ClipEars(points, pocket, kept);
        }
        return kept;
    }

    private static (int, int) Key(int a, int b) => a < b ? (a, b) : (b, a);

    /// <summary>Shortest path from <paramref name="from"/> to <paramref name="to"/> along the mesh's boundary through points off the outline.</summary>
    private static List<int>? Path(Dictionary<int, List<int>> boundary, HashSet<int> onOutline, int from, int to)
    {
        var previous = new Dictionary<int, int> { [from] = from };
        var queue = new Queue<int>([from]);
        while (queue.Count > 0)
        {
            var v = queue.Dequeue();
            if (!boundary.TryGetValue(v, out var next)) continue;
            foreach (var w in next)
            {
                if (previous.ContainsKey(w) || (w != to && onOutline.Contains(w))) continue;
                previous[w] = v;
                if (w == to)
                {
                    var path = new List<int> { to };
                    for (var u = v; u != from; u = previous[u]) path.Add(u);
                    path.Add(from);
                    path.Reverse();
                    return path;
                }
                queue.Enqueue(w);
            }
        }
        return null;
    }

    /// <summary>Triangulates the simple polygon <paramref name="polygon"/> by ear clipping, adding its triangles to <paramref name="into"/>.</summary>
    private static void ClipEars(IReadOnlyList<Vector2> points, List<int> polygon, List<(int A, int B, int C)> into)
    {
        var area = 0f;
        for (var i = 0; i < polygon.Count; i++) area += Polygon.Cross(Vector2.Zero, points[polygon[i]], points[polygon[(i + 1) % polygon.Count]]);
        var sign = MathF.Sign(area);
        if (sign == 0) return;
        var left = new List<int>(polygon);
        var guard = left.Count * left.Count;
        while (left.Count > 3 && guard-- > 0)
        {
            for (var i = 0; i < left.Count; i++)
            {
                int a = left[(i + left.Count - 1) % left.Count], b = left[i], c = left[(i + 1) % left.Count];
                if (Polygon.Cross(points[a], points[b], points[c]) * sign <= 0) continue;
                if (left.Any(v => v != a && v != b && v != c && Inside(points[v], points[a], points[b], points[c]))) continue;
                into.Add((a, b, c));
                left.RemoveAt(i);
                break;
            }
        }
        if (left.Count == 3 && MathF.Abs(Polygon.Cross(points[left[0]], points[left[1]], points[left[2]])) > 1e-6f) into.Add((left[0], left[1], left[2]));
    }

    private static bool CrossesOutline(IReadOnlyList<Vector2> points, int[] outline, (int A, int B, int C) t)
    {
        foreach (var (p, q) in (ReadOnlySpan<(int, int)>)[(t.A, t.B), (t.B, t.C), (t.C, t.A)])
            for (var k = 0; k < outline.Length; k++)
            {
                int a = outline[k], b = outline[(k + 1) % outline.Length];
                if (a == p || a == q || b == p || b == q) continue;
                if (Properly(points[p], points[q], points[a], points[b])) return true;
            }
        return false;
    }

    private static bool Properly(Vector2 p, Vector2 q, Vector2 a, Vector2 b) =>
        Polygon.Cross(p, q, a) * Polygon.Cross(p, q, b) < 0 && Polygon.Cross(a, b, p) * Polygon.Cross(a, b, q) < 0;

    private static bool Inside(Vector2 v, Vector2 a, Vector2 b, Vector2 c)
    {
        float d1 = Polygon.Cross(a, b, v), d2 = Polygon.Cross(b, c, v), d3 = Polygon.Cross(c, a, v);
        return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
    }
}
