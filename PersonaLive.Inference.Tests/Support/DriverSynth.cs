using System.Numerics;
using PersonaLive.Inference.Faces;
using PersonaLive.Inference.Imaging;
using PersonaLive.Inference.Lite;

namespace PersonaLive.Inference.Tests.Support;

/// <summary>
/// Synthetic driving frames from one face image with known motions: similarity transforms (roll, scale,
/// shift about the image centre) and a mouth opened by warping the jaw down with our own mesh warp.
/// </summary>
internal static class DriverSynth
{
    /// <summary>
    /// Opens the mouth by <paramref name="amount"/> x eye distance: landmarks below the mouth-corner line
    /// move down, fully once they are 10 % of the eye distance below it (lower lip, chin, jaw).
    /// </summary>
    public static RgbaImage OpenMouth(RgbaImage image, Vector3[] landmarks, float amount)
    {
        var rig = PortraitRig.Build(image, landmarks);
        var targets = (Vector2[])rig.Vertices.Clone();
        var eyes = rig.EyeDistance;
        var a = targets[61];
        var b = targets[291];
        var along = Vector2.Normalize(b - a);
        var down = new Vector2(-along.Y, along.X); // image y grows downwards
        for (var i = 0; i < FaceLandmarker.PointCount; i++)
        {
            var below = Vector2.Dot(targets[i] - a, down);
            var w = Math.Clamp(below / (0.1f * eyes), 0, 1);
            targets[i] += down * (w * amount * eyes);
        }
        // The lower inner lip must leave the upper one.
        foreach (var i in new[] { 14, 87, 178, 88, 95, 317, 402, 318, 324 })
            targets[i] = rig.Vertices[i] + down * (amount * eyes);
        var result = new RgbaImage(image.Width, image.Height);
        image.Pixels.CopyTo(result.Pixels);
        MeshRasterizer.Render(image, rig.Vertices, targets, rig.Triangles, result);
        // A driver's mouth is a camera picture, not our renderer's output, so it is painted plainly here and not
        // with the engine's MouthFill.
        var mouth = PortraitRig.InnerMouth.Select(i => targets[i]).ToArray();
        PaintCavity(result, mouth);
        return result;
    }

    /// <summary>
    /// Fills the polygon dark (the shadowed lip edge), then with concentric shrunken copies of itself from a lit
    /// lip-red at 90 % to near black at 40 %: the landmark model reads such an opening as open, while a flat fill or
    /// one with a band of teeth made its reading collapse over the tracker's passes.
    /// </summary>
    private static void PaintCavity(RgbaImage img, Vector2[] poly)
    {
        var c = Vector2.Zero;
        foreach (var p in poly) c += p;
        c /= poly.Length;
        Fill(img, poly, (45, 18, 20), 0);
        for (var k = 0; k <= 5; k++)
        {
            var s = 0.9f - 0.1f * k;
            var t = k / 6f;
            var inner = poly.Select(p => c + (p - c) * s).ToArray();
            Fill(img, inner, ((byte)(165 - 150 * t), (byte)(75 - 70 * t), (byte)(75 - 68 * t)), 0);
        }
    }

    /// <summary>Eye openings as polygons: outer corner, upper lid, inner corner, lower lid (MediaPipe indices).</summary>
    public static readonly int[][] EyeContours =
    [
        [33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7],
        [263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249],
    ];

    /// <summary>
    /// Closes both eyes the way a photo of closed eyes looks: the eye opening is painted with the eyelid
    /// skin colour sampled just above it, and a dark lash line is drawn along the lower lid.
    /// </summary>
    public static RgbaImage CloseEyes(RgbaImage image, Vector3[] landmarks)
    {
        var result = new RgbaImage(image.Width, image.Height);
        image.Pixels.CopyTo(result.Pixels);
        var eyes = PortraitRig.EyeDistanceOf(landmarks);
        foreach (var contour in EyeContours)
        {
            var poly = contour.Select(i => new Vector2(landmarks[i].X, landmarks[i].Y)).ToArray();
            var top = poly[4];
            var skin = Average(image, top - new Vector2(0, 0.09f * eyes), 2);
            Fill(result, poly, skin, 2);
            var lower = contour[8..].Append(contour[0]).Select(i => new Vector2(landmarks[i].X, landmarks[i].Y)).ToArray();
            for (var k = 0; k + 1 < lower.Length; k++)
                for (var t = 0f; t <= 1; t += 0.05f)
                {
                    var p = Vector2.Lerp(lower[k], lower[k + 1], t) - new Vector2(0, 0.01f * eyes);
                    Blend(result, (int)p.X, (int)p.Y, (60, 40, 35), 0.8f);
                }
        }
        return result;
    }

    private static (byte, byte, byte) Average(RgbaImage img, Vector2 at, int r)
    {
        int n = 0, sr = 0, sg = 0, sb = 0;
        for (var y = (int)at.Y - r; y <= (int)at.Y + r; y++)
            for (var x = (int)at.X - r; x <= (int)at.X + r; x++)
            {
                var o = (y * img.Width + x) * 4;
                sr += img.Pixels[o]; sg += img.Pixels[o + 1]; sb += img.Pixels[o + 2]; n++;
            }
        return ((byte)(sr / n), (byte)(sg / n), (byte)(sb / n));
    }

    /// <summary>Even-odd polygon fill, grown by <paramref name="grow"/> pixels on each span end.</summary>
    private static void Fill(RgbaImage img, Vector2[] poly, (byte R, byte G, byte B) c, int grow)
    {
        var minY = (int)poly.Min(p => p.Y) - grow;
        var maxY = (int)poly.Max(p => p.Y) + grow;
        for (var y = minY; y <= maxY; y++)
        {
            var yc = y + 0.5f;
            var xs = new List<float>();
            for (int i = 0, j = poly.Length - 1; i < poly.Length; j = i++)
                if ((poly[i].Y <= yc) != (poly[j].Y <= yc))
                    xs.Add(poly[i].X + (yc - poly[i].Y) * (poly[j].X - poly[i].X) / (poly[j].Y - poly[i].Y));
            xs.Sort();
            for (var k = 0; k + 1 < xs.Count; k += 2)
                for (var x = (int)xs[k] - grow; x <= (int)xs[k + 1] + grow; x++) Blend(img, x, y, c, 1);
        }
    }

    private static void Blend(RgbaImage img, int x, int y, (byte R, byte G, byte B) c, float a)
    {
        if ((uint)x >= (uint)img.Width || (uint)y >= (uint)img.Height) return;
        var o = (y * img.Width + x) * 4;
        img.Pixels[o] = (byte)(img.Pixels[o] + (c.R - img.Pixels[o]) * a);
        img.Pixels[o + 1] = (byte)(img.Pixels[o + 1] + (c.G - img.Pixels[o + 1]) * a);
        img.Pixels[o + 2] = (byte)(img.Pixels[o + 2] + (c.B - img.Pixels[o + 2]) * a);
    }

    /// <summary>Mean lid gap (159-145, 386-374) per eye distance.</summary>
    public static float EyeOpening(ReadOnlySpan<Vector3> p)
    {
        static float D(Vector3 a, Vector3 b) => Vector2.Distance(new(a.X, a.Y), new(b.X, b.Y));
        return (D(p[159], p[145]) + D(p[386], p[374])) / 2 / PortraitRig.EyeDistanceOf(p);
    }
}
