using System.Numerics;
using PersonaLive.Inference.Faces;
using PersonaLive.Inference.Imaging;
using PersonaLive.Inference.Lite;

namespace PersonaLive.Inference.Tests.Lite;

public sealed class GeometryTests
{
    [Theory]
    [InlineData(0f, 0f, 0f, 1f)]
    [InlineData(0.3f, -0.2f, 0.25f, 1.3f)]
    [InlineData(-0.5f, 0.4f, -0.1f, 0.8f)]
    public void RigidAlignmentRecoversAKnownSimilarity(float yaw, float pitch, float roll, float scale)
    {
        var rng = new Random(3);
        var from = new Vector3[FaceLandmarker.PointCount];
        for (var i = 0; i < from.Length; i++) from[i] = new Vector3(rng.NextSingle() * 100, rng.NextSingle() * 120, rng.NextSingle() * 40);
        var q = Quaternion.CreateFromYawPitchRoll(yaw, pitch, roll);
        var shift = new Vector3(12, -7, 3);
        var to = from.Select(p => Vector3.Transform(p, q) * scale + shift).ToArray();
        var pose = RigidAlignment.Fit(from, to, RigidAlignment.RigidIndices);
        Assert.Equal(scale, pose.Scale, 3);
        Assert.True(Math.Abs(Quaternion.Dot(pose.Rotation, q)) > 0.99999f, $"rotation {pose.Rotation} vs {q}");
        foreach (var i in new[] { 0, 100, 467 })
        {
            Assert.True(Vector3.Distance(pose.Map(from[i]), to[i]) < 1e-2f);
            Assert.True(Vector3.Distance(pose.Unmap(to[i]), from[i]) < 1e-2f);
        }
    }

    [Fact]
    public void DelaunayTilesTheHullWithEmptyCircumcircles()
    {
        var rng = new Random(5);
        var pts = new List<Vector2> { new(0, 0), new(100, 0), new(100, 100), new(0, 100) };
        for (var i = 0; i < 200; i++) pts.Add(new Vector2(1 + rng.NextSingle() * 98, 1 + rng.NextSingle() * 98));
        pts.Add(pts[10]); // exact duplicate is skipped
        var tris = Delaunay.Triangulate(pts);
        // Euler: a triangulation of n points with h on the hull has 2n - h - 2 triangles (n = 204 distinct, h = 4).
        Assert.Equal(2 * 204 - 4 - 2, tris.Count);
        double area = 0;
        foreach (var (a, b, c) in tris)
        {
            var cross = (pts[b].X - pts[a].X) * (pts[c].Y - pts[a].Y) - (pts[b].Y - pts[a].Y) * (pts[c].X - pts[a].X);
            Assert.True(cross > 0, "counter-clockwise in image coordinates");
            area += cross / 2;
        }
        Assert.Equal(100 * 100, area, 1);
        foreach (var (a, b, c) in tris.Take(60))
            for (var i = 0; i < 204; i++)
                Assert.False(InCircle(pts[a], pts[b], pts[c], pts[i]) > 1e-3, "a point lies inside a circumcircle");
    }

    private static double InCircle(Vector2 a, Vector2 b, Vector2 c, Vector2 d)
    {
        double adx = a.X - d.X, ady = a.Y - d.Y, bdx = b.X - d.X, bdy = b.Y - d.Y, cdx = c.X - d.X, cdy = c.Y - d.Y;
        return (adx * adx + ady * ady) * (bdx * cdy - cdx * bdy) - (bdx * bdx + bdy * bdy) * (adx * cdy - cdx * ady)
               + (cdx * cdx + cdy * cdy) * (adx * bdy - bdx * ady);
    }

    [Fact]
    public void OneEuroFilterHoldsStillValuesAndFollowsSteps()
    {
        var f = new OneEuroFilterBank(1, 0.5f, 0.015f);
        Span<float> v = [10];
        f.Filter(v, 1 / 30f);
        for (var i = 0; i < 10; i++) { v[0] = 10; f.Filter(v, 1 / 30f); }
        Assert.Equal(10, v[0]);
        // Alternating +-1 noise is damped to a fraction.
        var max = 0f;
        for (var i = 0; i < 60; i++) { v[0] = 10 + (i % 2 == 0 ? 1 : -1); f.Filter(v, 1 / 30f); if (i > 30) max = MathF.Max(max, MathF.Abs(v[0] - 10)); }
        Assert.True(max < 0.35f, $"noise passes with amplitude {max}");
        // A 100-unit step is followed to within 1 % in 20 frames.
        for (var i = 0; i < 20; i++) { v[0] = 110; f.Filter(v, 1 / 30f); }
        Assert.True(MathF.Abs(v[0] - 110) < 1, $"step reached {v[0]}");
    }

    [Fact]
    public void AffineSquareRegionAndInverseRoundTrip()
    {
        var m = Affine2.SquareRegion(100, 50, 64, 0.4f, 128);
        var (cx, cy) = m.Apply(64, 64);
        Assert.Equal(100, cx, 3);
        Assert.Equal(50, cy, 3);
        var (x, y) = m.Inverse().Apply(m.Apply(10, 20).X, m.Apply(10, 20).Y);
        Assert.Equal(10, x, 3);
        Assert.Equal(20, y, 3);
        var (ax, ay) = m.Apply(128, 64);
        Assert.Equal(100 + 32 * MathF.Cos(0.4f), ax, 3);
        Assert.Equal(50 + 32 * MathF.Sin(0.4f), ay, 3);
    }
}
