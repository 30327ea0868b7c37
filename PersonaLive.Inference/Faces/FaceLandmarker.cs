using System.Numerics;
using Microsoft.ML.OnnxRuntime;
using PersonaLive.Inference.Imaging;
using PersonaLive.Inference.Onnx;

namespace PersonaLive.Inference.Faces;

/// <summary>
/// Runs the converted 468-point face landmark model on a <see cref="FaceRoi"/>: crop 192x192 in [0,1],
/// infer, project the points (crop pixels) back to image pixels; z is scaled like x and y.
/// One instance per engine; the ONNX session is shared.
/// </summary>
public sealed class FaceLandmarker(InferenceSession session) : IDisposable
{
    public const int InputSize = 192;
    public const int PointCount = 468;
    private readonly FixedShapeRunner _runner = new(session, ["input_1"], ["conv2d_21", "conv2d_31"]);

    /// <summary>Fills <paramref name="points"/> (468) and returns the face-presence probability.</summary>
    public float Run(RgbaImage image, FaceRoi roi, Span<Vector3> points)
    {
        var toImage = roi.CropToImage(InputSize);
        ImageSampler.ToTensor(image, toImage, InputSize, _runner.Inputs[0], 1f, 0f);
        _runner.Run();
        var raw = _runner.Outputs[0];
        var zScale = roi.Size / InputSize;
        for (var i = 0; i < PointCount; i++)
        {
            var (x, y) = toImage.Apply(raw[3 * i], raw[3 * i + 1]);
            points[i] = new Vector3(x, y, raw[3 * i + 2] * zScale);
        }
        return 1f / (1f + MathF.Exp(-Math.Clamp(_runner.Outputs[1][0], -100f, 100f)));
    }

    public void Dispose() => _runner.Dispose();
}
