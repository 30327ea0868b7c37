using Microsoft.ML.OnnxRuntime;
using PersonaLive.Inference.Imaging;
using PersonaLive.Inference.Onnx;

namespace PersonaLive.Inference.Faces;

/// <summary>
/// Runs the converted BlazeFace short-range detector on an image of any size: letterbox to 128x128,
/// scale to [-1, 1], decode, and map detections back to image pixels. One instance per engine (owns
/// input/output buffers); the ONNX session is shared.
/// </summary>
public sealed class FaceDetector(InferenceSession session) : IDisposable
{
    private readonly FixedShapeRunner _runner = new(session, ["input"], ["regressors", "classificators"]);

    /// <summary>Faces sorted by area, largest first, in image pixels.</summary>
    public List<FaceDetection> Detect(RgbaImage image, float minScore = 0.5f)
    {
        const int n = BlazeFaceDecoder.InputSize;
        var scale = (float)n / Math.Max(image.Width, image.Height);
        var offX = (n - image.Width * scale) / 2;
        var offY = (n - image.Height * scale) / 2;
        // input pixel -> image pixel
        var toImage = new Affine2(1 / scale, 0, -offX / scale, 0, 1 / scale, -offY / scale);
        ImageSampler.ToTensor(image, toImage, n, _runner.Inputs[0], 2f, -1f);
        _runner.Run();
        var found = BlazeFaceDecoder.Decode(_runner.Outputs[0], _runner.Outputs[1], minScore);
        var result = new List<FaceDetection>(found.Count);
        foreach (var d in found)
        {
            var kps = new float[12];
            for (var k = 0; k < 6; k++)
                (kps[2 * k], kps[2 * k + 1]) = toImage.Apply(d.Keypoints[2 * k] * n, d.Keypoints[2 * k + 1] * n);
            var (cx, cy) = toImage.Apply(d.CenterX * n, d.CenterY * n);
            result.Add(new FaceDetection(d.Score, cx, cy, d.Width * n / scale, d.Height * n / scale, kps));
        }
        result.Sort((a, b) => b.Area.CompareTo(a.Area));
        return result;
    }

    public void Dispose() => _runner.Dispose();
}
