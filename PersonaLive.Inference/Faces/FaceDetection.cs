namespace PersonaLive.Inference.Faces;

/// <summary>
/// A detected face in image pixels: box centre and size, score, and BlazeFace's six keypoints
/// (0 right eye, 1 left eye, 2 nose tip, 3 mouth, 4 right ear, 5 left ear; "right" = the person's right,
/// which appears on the image's left).
/// </summary>
public sealed record FaceDetection(float Score, float CenterX, float CenterY, float Width, float Height, float[] Keypoints)
{
    public float Area => Width * Height;

    public (float X, float Y) Keypoint(int i) => (Keypoints[2 * i], Keypoints[2 * i + 1]);

    /// <summary>Intersection over union of the two boxes.</summary>
    public float IoU(FaceDetection o)
    {
        var ix = Math.Max(0, Math.Min(CenterX + Width / 2, o.CenterX + o.Width / 2) - Math.Max(CenterX - Width / 2, o.CenterX - o.Width / 2));
        var iy = Math.Max(0, Math.Min(CenterY + Height / 2, o.CenterY + o.Height / 2) - Math.Max(CenterY - Height / 2, o.CenterY - o.Height / 2));
        var inter = ix * iy;
        var union = Area + o.Area - inter;
        return union <= 0 ? 0 : inter / union;
    }
}

/// <summary>
/// BlazeFace short-range output decoding (docs/lite-engine.md): 896 anchors (16x16 grid x 2, then 8x8 x 6,
/// order y, x, anchor, centres at (x+0.5)/grid), score = sigmoid(clamp(logit, +-100)) kept at >= threshold,
/// box and keypoints = value / 128 + anchor centre, then weighted non-maximum suppression at IoU 0.3.
/// Coordinates come out normalised to the 128x128 input.
/// </summary>
public static class BlazeFaceDecoder
{
    public const int InputSize = 128;
    public const int AnchorCount = 896;
    private static readonly (float X, float Y)[] Anchors = BuildAnchors();

    private static (float, float)[] BuildAnchors()
    {
        var list = new List<(float, float)>(AnchorCount);
        foreach (var (grid, perCell) in new[] { (16, 2), (8, 6) })
            for (var y = 0; y < grid; y++)
                for (var x = 0; x < grid; x++)
                    for (var a = 0; a < perCell; a++)
                        list.Add(((x + 0.5f) / grid, (y + 0.5f) / grid));
        return [.. list];
    }

    /// <summary>Decodes raw outputs ([896,16] regressors, [896] logits) into NMS-merged detections in [0,1] input coordinates.</summary>
    public static List<FaceDetection> Decode(ReadOnlySpan<float> regressors, ReadOnlySpan<float> logits, float minScore = 0.5f, float iouThreshold = 0.3f)
    {
        var candidates = new List<FaceDetection>();
        for (var i = 0; i < AnchorCount; i++)
        {
            var score = 1f / (1f + MathF.Exp(-Math.Clamp(logits[i], -100f, 100f)));
            if (score < minScore) continue;
            var r = regressors.Slice(i * 16, 16);
            var (ax, ay) = Anchors[i];
            var kps = new float[12];
            for (var k = 0; k < 6; k++)
            {
                kps[2 * k] = r[4 + 2 * k] / InputSize + ax;
                kps[2 * k + 1] = r[5 + 2 * k] / InputSize + ay;
            }
            candidates.Add(new FaceDetection(score, r[0] / InputSize + ax, r[1] / InputSize + ay, r[2] / InputSize, r[3] / InputSize, kps));
        }
        return WeightedNms(candidates, iouThreshold);
    }

    /// <summary>MediaPipe-style weighted NMS: each cluster around the best remaining box is averaged by score.</summary>
    public static List<FaceDetection> WeightedNms(List<FaceDetection> detections, float iouThreshold)
    {
        var remaining = detections.OrderByDescending(d => d.Score).ToList();
        var result = new List<FaceDetection>();
        while (remaining.Count > 0)
        {
            var top = remaining[0];
            var cluster = remaining.Where(d => top.IoU(d) >= iouThreshold).ToList();
            remaining.RemoveAll(d => top.IoU(d) >= iouThreshold);
            float total = 0, cx = 0, cy = 0, w = 0, h = 0;
            var kps = new float[12];
            foreach (var d in cluster)
            {
                total += d.Score;
                cx += d.CenterX * d.Score; cy += d.CenterY * d.Score; w += d.Width * d.Score; h += d.Height * d.Score;
                for (var k = 0; k < 12; k++) kps[k] += d.Keypoints[k] * d.Score;
            }
            for (var k = 0; k < 12; k++) kps[k] /= total;
            result.Add(new FaceDetection(top.Score, cx / total, cy / total, w / total, h / total, kps));
        }
        return result;
    }
}
