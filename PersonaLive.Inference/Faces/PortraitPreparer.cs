using System.Numerics;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Faces;

/// <summary>
/// Portrait preparation shared by both engines (ARCHITECTURE.md, data path step 1): decode, detect faces,
/// take the largest, locate its landmarks, and cut a 512x512 crop rotated so the eyes are level, centred
/// on the face with room for hair, neck and head motion. Every refusal carries a reason a person can act on.
/// </summary>
public sealed class PortraitPreparer(FaceDetector detector, FaceLandmarker landmarker)
{
    public const int OutputSize = 512;

    /// <summary>Crop edge as a multiple of the face's landmark extent (face ~ 43 % of the crop).</summary>
    public const float Margin = 2.3f;

    /// <summary>Faces smaller than this (landmark extent, pixels) carry too little detail to animate.</summary>
    public const float MinFacePixels = 48;

    public PortraitResult Prepare(ReadOnlySpan<byte> encoded)
    {
        using var image = ImageCodec.Decode(encoded);
        if (image is null)
            return PortraitResult.Fail("This file is not an image we can read. Upload a JPEG, PNG or WebP photo.");
        return Prepare(image);
    }

    public PortraitResult Prepare(RgbaImage image)
    {
        if (image.Width < 64 || image.Height < 64)
            return PortraitResult.Fail($"The image is only {image.Width}x{image.Height} pixels; use a photo of at least 256x256.");
        var faces = detector.Detect(image);
        if (faces.Count == 0)
            return PortraitResult.Fail("No face was found. Use a photo where one face looks towards the camera, well lit and not covered.");

        var points = new Vector3[FaceLandmarker.PointCount];
        var roi = FaceRoi.FromDetection(faces[0]);
        var presence = landmarker.Run(image, roi, points);
        if (presence >= FaceTracker.MinPresence)
            presence = landmarker.Run(image, FaceRoi.FromLandmarks(points), points); // refine with a landmark-based ROI
        if (presence < FaceTracker.MinPresence)
            return PortraitResult.Fail("A face was found but its features are not clear enough. Use a sharper, frontal photo.");

        var angle = MathF.Atan2(points[FaceRoi.LeftEyeOuter].Y - points[FaceRoi.RightEyeOuter].Y, points[FaceRoi.LeftEyeOuter].X - points[FaceRoi.RightEyeOuter].X);
        float cos = MathF.Cos(angle), sin = MathF.Sin(angle);
        float minU = float.MaxValue, maxU = float.MinValue, minV = float.MaxValue, maxV = float.MinValue;
        foreach (var p in points)
        {
            var u = p.X * cos + p.Y * sin;
            var v = -p.X * sin + p.Y * cos;
            minU = Math.Min(minU, u); maxU = Math.Max(maxU, u);
            minV = Math.Min(minV, v); maxV = Math.Max(maxV, v);
        }
        var extent = Math.Max(maxU - minU, maxV - minV);
        if (extent < MinFacePixels)
            return PortraitResult.Fail($"The face is too small ({extent:F0} pixels). Use a photo where the face is at least {MinFacePixels * 2:F0} pixels tall.");

        // Centre slightly above the landmark box so the top of the head (above the hairline landmarks) fits.
        var cu = (minU + maxU) / 2;
        var cv = (minV + maxV) / 2 - 0.08f * (maxV - minV);
        var centre = new Vector2(cu * cos - cv * sin, cu * sin + cv * cos);
        var crop = new RgbaImage(OutputSize, OutputSize);
        ImageSampler.ToRgba(image, Affine2.SquareRegion(centre.X, centre.Y, extent * Margin, angle, OutputSize), crop, clampToEdge: true);
        return PortraitResult.Ok(new PreparedPortrait(crop, OutputSize));
    }
}
