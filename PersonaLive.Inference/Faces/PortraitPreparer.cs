using System.Numerics;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Faces;

/// <summary>
/// Portrait preparation shared by both engines (docs/architecture.md, data path step 1): decode, detect faces,
/// take the largest, locate its landmarks, and cut a 512x512 crop rotated so the eyes are level, centred
/// on the face with room for hair, neck and head motion. Every refusal carries a reason a person can act on.
/// </summary>
public sealed class PortraitPreparer(FaceDetector detector, FaceLandmarker landmarker)
{
    public const int OutputSize = 512;

    /// <summary>Crop edge as a multiple of the face's landmark extent (face ~ 43 % of the crop).</summary>
    public const float Margin = 2.3f;

    /// <summary>Smallest crop edge (multiple of the face extent) used to keep the crop inside the photo.</summary>
    public const float MinMargin = 1.8f;

    /// <summary>Faces smaller than this (landmark extent, pixels) carry too little detail to animate.</summary>
    public const float MinFacePixels = 48;

    /// <summary>What a person is told when the file's header is fine but its data is cut short or corrupt.</summary>
    public const string DamagedMessage = "The file is damaged or incomplete. Upload it again, or export the photo again and upload the new file.";

    public PortraitResult Prepare(ReadOnlySpan<byte> encoded)
    {
        var status = ImageCodec.TryDecode(encoded, out var decoded);
        using var image = decoded;
        return status switch
        {
            ImageDecodeStatus.Ok => Prepare(image!),
            ImageDecodeStatus.Damaged => PortraitResult.Fail(DamagedMessage),
            ImageDecodeStatus.BadDimensions => PortraitResult.Fail("The image has too many pixels (or none). Upload a photo of at most 40 megapixels."),
            _ => PortraitResult.Fail("This file is not an image we can read. Upload a JPEG, PNG or WebP photo."),
        };
    }

    public PortraitResult Prepare(RgbaImage image)
    {
        var cropToPhoto = Locate(image, out var error, out var faces);
        if (cropToPhoto is null) return PortraitResult.Fail(error!);
        var crop = new RgbaImage(OutputSize, OutputSize);
        ImageSampler.ToRgba(image, cropToPhoto.Value, crop, clampToEdge: true);
        OutsideFill.Soften(crop, cropToPhoto.Value, image.Width, image.Height);
        return PortraitResult.Ok(new PreparedPortrait(crop, OutputSize)) with { Notice = SeveralFacesNotice(faces!, image.Width) };
    }

    /// <summary>With two or more faces (largest first) says which one was used and how to choose another.</summary>
    private static string? SeveralFacesNotice(List<FaceDetection> faces, int imageWidth)
    {
        if (faces.Count < 2) return null;
        var x = faces[0].CenterX / imageWidth;
        var where = x < 0.35f ? "on the left" : x > 0.65f ? "on the right" : "in the middle";
        return $"This photo has {faces.Count} faces; we used the largest, {where}. To animate another one, crop the photo to that face and upload it again.";
    }

    /// <summary>
    /// Where the 512x512 crop lies in the photo (crop pixel -> photo pixel), or null with the reason a person
    /// can act on. The crop is centred on the face with room for hair and motion; where the photo ends, it
    /// shrinks (down to <see cref="MinMargin"/>) and shifts (keeping the face inside) to stay within the photo.
    /// </summary>
    public Affine2? Locate(RgbaImage image, out string? error) => Locate(image, out error, out _);

    /// <summary>As <see cref="Locate(RgbaImage, out string?)"/>, also giving the faces found (largest first; the first is used).</summary>
    private Affine2? Locate(RgbaImage image, out string? error, out List<FaceDetection>? faces)
    {
        error = null;
        faces = null;
        if (image.Width < 64 || image.Height < 64)
        {
            error = $"The image is only {image.Width}x{image.Height} pixels; use a photo of at least 256x256.";
            return null;
        }
        faces = detector.Detect(image);
        if (faces.Count == 0)
        {
            error = "No face was found. Use a photo where one face looks towards the camera, well lit and not covered.";
            return null;
        }

        var points = new Vector3[FaceLandmarker.PointCount];
        var roi = FaceRoi.FromDetection(faces[0]);
        var presence = landmarker.Run(image, roi, points);
        if (presence >= FaceTracker.MinPresence)
            presence = landmarker.Run(image, FaceRoi.FromLandmarks(points), points); // refine with a landmark-based ROI
        if (presence < FaceTracker.MinPresence)
        {
            error = "A face was found but its features are not clear enough. Use a sharper, frontal photo.";
            return null;
        }

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
        {
            error = $"The face is too small ({extent:F0} pixels). Use a photo where the face is at least {MinFacePixels * 2:F0} pixels tall.";
            return null;
        }

        // Centre slightly above the landmark box so the top of the head (above the hairline landmarks) fits.
        var cu = (minU + maxU) / 2;
        var cv = (minV + maxV) / 2 - 0.08f * (maxV - minV);
        var centre = new Vector2(cu * cos - cv * sin, cu * sin + cv * cos);
        var spread = MathF.Abs(cos) + MathF.Abs(sin); // axis-aligned half-extent per unit of half-size
        var size = extent * Margin;
        size = Math.Max(Math.Min(size, Math.Min(image.Width, image.Height) / spread), extent * MinMargin);
        var slack = (size - extent * 1.15f) / 2; // how far the centre may move with the face still inside
        centre = new Vector2(Fit(centre.X, size * spread / 2, image.Width, slack), Fit(centre.Y, size * spread / 2, image.Height, slack));
        return Affine2.SquareRegion(centre.X, centre.Y, size, angle, OutputSize);
    }

    /// <summary>Moves <paramref name="c"/> (by at most <paramref name="slack"/>) so [c - half, c + half] lies in [0, length].</summary>
    private static float Fit(float c, float half, float length, float slack)
    {
        var target = half * 2 >= length ? length / 2 : Math.Clamp(c, half, length - half);
        return c + Math.Clamp(target - c, -Math.Max(slack, 0), Math.Max(slack, 0));
    }
}
