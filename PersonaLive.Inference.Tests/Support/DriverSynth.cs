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
        var mouth = PortraitRig.InnerMouth.Select(i => targets[i]).ToArray();
        MouthFill.Fill(result, mouth, 0.95f);
        return result;
    }
}
