using System.Numerics;
using PersonaLive.Inference.Faces;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Lite;

/// <summary>
/// The warp mesh of one portrait, built once per portrait: the 468 face landmarks, an inner ring that
/// follows the head fully (hair, ears), an outer ring that follows it partly (neck, shoulders blend), and
/// fixed points on the image border; triangulated by <see cref="Delaunay"/> over their portrait positions
/// (our own triangulation, not MediaPipe's tesselation table).
/// </summary>
public sealed class PortraitRig
{
    public const int RingPoints = 24;
    public const float InnerRingScale = 1.3f, OuterRingScale = 2.0f;
    public const float InnerRingFollow = 1.0f, OuterRingFollow = 0.45f;
    public const int BorderStep = 64;

    /// <summary>Inner lip contour, upper lip left to right then lower lip right to left (MediaPipe indices).</summary>
    public static readonly int[] InnerMouth = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95];

    public const int UpperLipInner = 13, LowerLipInner = 14;

    private PortraitRig(RgbaImage image, Vector3[] landmarks, Vector2[] vertices, float[] follow, int[] triangles, int[] faceTriangles)
    {
        FaceTriangles = faceTriangles;
        Image = image;
        Landmarks = landmarks;
        Vertices = vertices;
        Follow = follow;
        Triangles = triangles;
        EyeDistance = EyeDistanceOf(landmarks);
        MouthOpening = MouthOpeningOf(landmarks);
        Mouth = MouthPalette.Of(image, landmarks, InnerMouth, MouthOpening);
        DepthCap = CapOf(landmarks);
        RightLid = LidPalette.Of(image, landmarks, FaceShape.RightUpper, FaceShape.RightUpper1, FaceShape.RightUpper2, FaceShape.RightLower, FaceShape.RightLower1);
        LeftLid = LidPalette.Of(image, landmarks, FaceShape.LeftUpper, FaceShape.LeftUpper1, FaceShape.LeftUpper2, FaceShape.LeftLower, FaceShape.LeftLower1);
    }

    /// <summary>
    /// Depth (portrait pixels, larger = farther) beyond which <see cref="Retargeter"/> flattens the face for large turns:
    /// <see cref="DepthCapShare"/> of the way from the nose tip to the face outline's mean depth. The landmark model's
    /// depth climbs steeply towards the outline (the sides of the head).
    /// </summary>
    public float DepthCap { get; }

    public const float DepthCapShare = 0.7f;

    private static float CapOf(Vector3[] landmarks)
    {
        var nose = landmarks[NoseTip].Z;
        return nose + DepthCapShare * (SurroundField.Outline.Average(i => landmarks[i].Z) - nose);
    }

    private const int NoseTip = 1;

    /// <summary>Colours for painting the closed lids (subject's right and left eye), read off this portrait.</summary>
    public LidPalette RightLid { get; }

    public LidPalette LeftLid { get; }

    /// <summary>Colours for painting the inside of the opened mouth, read off this portrait.</summary>
    public MouthPalette Mouth { get; }

    public RgbaImage Image { get; }

    /// <summary>The portrait's 468 landmarks (pixels of <see cref="Image"/>; z on the same scale).</summary>
    public Vector3[] Landmarks { get; }

    /// <summary>All mesh vertices at their portrait positions: landmarks, inner ring, outer ring, border.</summary>
    public Vector2[] Vertices { get; }

    /// <summary>How much each non-landmark vertex follows the head's 2-D motion (0 = fixed border).</summary>
    public float[] Follow { get; }

    /// <summary>Triangle vertex indices, three per triangle.</summary>
    public int[] Triangles { get; }

    /// <summary>Triangles over the 468 face landmarks only (the 3-D face mesh the engine draws with depth).</summary>
    public int[] FaceTriangles { get; }

    public float EyeDistance { get; }

    /// <summary>Inner-lip gap relative to the eye distance (0 for a closed mouth).</summary>
    public float MouthOpening { get; }

    public static float EyeDistanceOf(ReadOnlySpan<Vector3> p) =>
        Vector2.Distance(new(p[FaceRoi.RightEyeOuter].X, p[FaceRoi.RightEyeOuter].Y), new(p[FaceRoi.LeftEyeOuter].X, p[FaceRoi.LeftEyeOuter].Y));

    public static float MouthOpeningOf(ReadOnlySpan<Vector3> p) =>
        Vector2.Distance(new(p[UpperLipInner].X, p[UpperLipInner].Y), new(p[LowerLipInner].X, p[LowerLipInner].Y)) / Math.Max(EyeDistanceOf(p), 1e-3f);

    public static PortraitRig Build(RgbaImage image, Vector3[] landmarks)
    {
        var n = FaceLandmarker.PointCount;
        var vertices = new List<Vector2>(n + 2 * RingPoints + 40);
        var follow = new List<float>();
        var centre = Vector2.Zero;
        foreach (var p in landmarks.AsSpan(0, n)) { vertices.Add(new(p.X, p.Y)); follow.Add(1); centre += new Vector2(p.X, p.Y); }
        centre /= n;

        float w = image.Width, h = image.Height;
        foreach (var (scale, weight) in new[] { (InnerRingScale, InnerRingFollow), (OuterRingScale, OuterRingFollow) })
        {
            for (var k = 0; k < RingPoints; k++)
            {
                var a = 2 * MathF.PI * k / RingPoints;
                var dir = new Vector2(MathF.Cos(a), MathF.Sin(a));
                var reach = 0f;
                foreach (var v in vertices.Take(n)) reach = MathF.Max(reach, Vector2.Dot(v - centre, dir));
                var q = centre + dir * reach * scale;
                vertices.Add(new(Math.Clamp(q.X, 3, w - 3), Math.Clamp(q.Y, 3, h - 3)));
                follow.Add(weight);
            }
        }
        for (var x = 0; x < w; x += BorderStep) { Add(new(x, 0)); Add(new(w - x, h)); }
        for (var y = 0; y < h; y += BorderStep) { Add(new(w, y)); Add(new(0, h - y)); }

        var triangles = Delaunay.Triangulate(vertices);
        var flat = new int[triangles.Count * 3];
        for (var i = 0; i < triangles.Count; i++) (flat[3 * i], flat[3 * i + 1], flat[3 * i + 2]) = triangles[i];
        // The face mesh ends on the face outline: Delaunay fills the convex hull, and where the outline curves inwards
        // (temple, jaw) its hull triangles reached past it over the seam band, so the skin ended in a hard step against
        // the surround there instead of blending into it (see SeamSkirt).
        var face = FaceMesh.Triangulate(vertices.GetRange(0, n), SurroundField.Outline);
        var faceFlat = new int[face.Count * 3];
        for (var i = 0; i < face.Count; i++) (faceFlat[3 * i], faceFlat[3 * i + 1], faceFlat[3 * i + 2]) = face[i];
        return new PortraitRig(image, landmarks, [.. vertices], [.. follow], flat, faceFlat);

        void Add(Vector2 v) { vertices.Add(v); follow.Add(0); }
    }
}
