using System.Numerics;
using PersonaLive.Inference.Imaging;
using PersonaLive.Inference.Lite;

namespace PersonaLive.Inference.Benchmarks;

/// <summary>Head pose and expression read off one face's 468 landmarks by the landmark model.</summary>
public readonly record struct FaceReading(float Roll, float Yaw, float Pitch, float Mouth, float RightEye, float LeftEye)
{
    /// <summary>
    /// Reads <paramref name="points"/>: rotation (degrees) of the rigid landmarks against
    /// <paramref name="reference"/> (Horn fit, then roll about the view axis, yaw about the vertical, pitch
    /// about the horizontal) and the face-normalised mouth and eye openings of <see cref="FaceShape"/>.
    /// </summary>
    public static FaceReading Of(ReadOnlySpan<Vector3> reference, ReadOnlySpan<Vector3> points)
    {
        var pose = RigidAlignment.Fit(reference, points, RigidAlignment.RigidIndices);
        var m = Matrix4x4.CreateFromQuaternion(pose.Rotation);
        const float Deg = 180 / MathF.PI;
        var roll = MathF.Atan2(m.M12, m.M11) * Deg;
        var yaw = MathF.Asin(Math.Clamp(-m.M13, -1, 1)) * Deg;
        var pitch = MathF.Atan2(m.M23, m.M33) * Deg;
        return new(roll, yaw, pitch, FaceShape.MouthOpening(points), FaceShape.RightEyeOpening(points), FaceShape.LeftEyeOpening(points));
    }
}

/// <summary>Paired driver/output readings of one run and the statistics <c>bench lite-quality</c> reports.</summary>
public sealed class QualitySeries
{
    private readonly List<FaceReading> _driver = [], _output = [], _meshPose = [];
    private readonly List<double> _tear = [];
    private readonly List<(float Right, float Left)> _mesh = [];
    private readonly List<(float Right, float Left)> _contrast = [];

    /// <summary>Share of its open value that the driver's lowest eye readings must reach for a run to count as containing a blink (and the raw measure's closed threshold).</summary>
    public const double ClosedEye = 0.65;

    public int Count => _driver.Count;

    public void Add(FaceReading driver, FaceReading output)
    {
        _driver.Add(driver);
        _output.Add(output);
    }

    public void AddTear(double score) => _tear.Add(score);

    /// <summary>The engine's own face geometry this frame read like the output (its mesh targets against the portrait), paired with the last <see cref="Add"/>.</summary>
    public void AddMeshPose(FaceReading mesh) => _meshPose.Add(mesh);

    /// <summary>Standard deviation of the engine's mesh over that of the driver: where <see cref="Amplitude"/> loses gain, before or after rendering.</summary>
    public double MeshAmplitude(Func<FaceReading, float> key) =>
        _meshPose.Count < 2 ? double.NaN : StdDev(_meshPose.Select(key).ToArray()) / Math.Max(StdDev(_driver.Take(_meshPose.Count).Select(key).ToArray()), 1e-9);

    /// <summary>Pearson r of the engine's mesh against the driver.</summary>
    public double MeshR(Func<FaceReading, float> key) =>
        _meshPose.Count < 2 ? double.NaN : Pearson(_driver.Take(_meshPose.Count).Select(key).ToArray(), _meshPose.Select(key).ToArray());

    /// <summary>The engine's own lid openings this frame (target lid gap over the portrait's), paired with the last <see cref="Add"/>.</summary>
    public void AddMesh(float right, float left) => _mesh.Add((right, left));

    /// <summary>As <see cref="BlinkRatio"/>, but reading the engine's lid geometry instead of the landmark model on the output.</summary>
    public double MeshBlinkRatio(bool right)
    {
        var frames = ClosedFrames(right ? r => r.RightEye : r => r.LeftEye, out _).Where(i => i < _mesh.Count).ToList();
        return frames.Count == 0 ? double.NaN : frames.Average(i => right ? _mesh[i].Right : _mesh[i].Left);
    }

    /// <summary>The output's eye contrast this frame (<see cref="EyeContrast"/>), paired with the last <see cref="Add"/>.</summary>
    public void AddContrast(float right, float left) => _contrast.Add((right, left));

    /// <summary>
    /// As <see cref="BlinkRatio"/>, but read off the output's pixels instead of its landmarks: the eye's contrast
    /// (<see cref="EyeContrast"/>) while the driver's eye is closed, over the output's open-eye contrast (90th
    /// percentile). An open eye is white sclera, a dark iris and lashes; a lid drawn over it is skin, so the
    /// contrast drops with the lid whether or not the landmark model, whose shape prior never closes a lid fully,
    /// sees it close. A closed lid keeps some contrast (its lash line, skin texture), so 0 is out of reach.
    /// </summary>
    public double ContrastBlinkRatio(bool right)
    {
        var open = Percentile(_contrast.Select(c => right ? c.Right : c.Left).ToArray(), 0.9);
        var frames = ClosedFrames(right ? r => r.RightEye : r => r.LeftEye, out _).Where(i => i < _contrast.Count).ToList();
        return frames.Count == 0 ? double.NaN : frames.Average(i => (right ? _contrast[i].Right : _contrast[i].Left) / Math.Max(open, 1e-6));
    }

    /// <summary>
    /// Standard deviation of the luma in a box over one eye of <paramref name="image"/>: along the line from the
    /// outer to the inner corner (the landmark model finds corners reliably, open or closed), the middle 80 % of it,
    /// and across it 0.2 of its length either way.
    /// </summary>
    public static float EyeContrast(RgbaImage image, Vector3 outer, Vector3 inner)
    {
        Vector2 a = new(outer.X, outer.Y), b = new(inner.X, inner.Y);
        var along = b - a;
        var across = new Vector2(-along.Y, along.X);
        var px = image.Pixels;
        double sum = 0, squares = 0;
        var n = 0;
        for (var i = 0; i <= 16; i++)
            for (var j = -6; j <= 6; j++)
            {
                var q = a + (0.1f + 0.8f * i / 16) * along + 0.2f * j / 6 * across;
                int x = (int)q.X, y = (int)q.Y;
                if (x < 0 || y < 0 || x >= image.Width || y >= image.Height) continue;
                var o = (y * image.Width + x) * 4;
                var luma = 0.3 * px[o] + 0.59 * px[o + 1] + 0.11 * px[o + 2];
                sum += luma;
                squares += luma * luma;
                n++;
            }
        if (n < 2) return 0;
        var mean = sum / n;
        return (float)Math.Sqrt(Math.Max(squares / n - mean * mean, 0));
    }

    public double Tear => _tear.Count == 0 ? double.NaN : _tear.Max();

    public double R(Func<FaceReading, float> key) => Pearson(_driver.Select(key).ToArray(), _output.Select(key).ToArray());

    /// <summary>
    /// <see cref="R"/> where the driver moves at all: NaN when the driver's standard deviation is below
    /// <paramref name="minDriverStd"/> (a correlation with landmark noise says nothing).
    /// </summary>
    public double RWhereMoving(Func<FaceReading, float> key, double minDriverStd) =>
        DriverStd(key) < minDriverStd ? double.NaN : R(key);

    public double DriverStd(Func<FaceReading, float> key) => StdDev(_driver.Select(key).ToArray());

    /// <summary>Standard deviation of the output over that of the driver (1 = full amplitude).</summary>
    public double Amplitude(Func<FaceReading, float> key) => StdDev(_output.Select(key).ToArray()) / Math.Max(StdDev(_driver.Select(key).ToArray()), 1e-9);

    /// <summary>
    /// How open the output's eye is while the driver's is closed, on the scale the issue of blinks is stated in (0 shut,
    /// 1 open): the mean calibrated output opening (<see cref="Calibrated"/>) over the frames whose calibrated driver
    /// opening is at most <see cref="ClosedOpening"/>; NaN when the driver never shuts that eye (its lowest readings stay
    /// above <see cref="ClosedEye"/> of open). The landmark model never reads a shut eye as shut: on the blinking clip,
    /// frames whose driver eye is seen fully shut read at 0.48-0.55 of the open value, so on its raw scale a 30 % opening
    /// is unreachable on either side (<see cref="RawBlinkRatio"/> keeps that reading for the log).
    /// </summary>
    public double BlinkRatio(Func<FaceReading, float> eye)
    {
        var frames = ClosedFrames(eye, out var shut);
        if (frames.Count == 0) return double.NaN;
        var outputOpen = Percentile(_output.Select(eye).ToArray(), 0.9);
        return frames.Average(i => Calibrated(eye(_output[i]) / Math.Max(outputOpen, 1e-9), shut));
    }

    /// <summary>Share of the driver's open eye reading (90th percentile) taken as the model's reading of a shut eye: its lowest readings.</summary>
    public const double ShutQuantile = 0.02;

    /// <summary>Calibrated opening (0 shut .. 1 open) at or below which an eye counts as closed.</summary>
    public const double ClosedOpening = 0.3;

    /// <summary>
    /// A reading of the landmark model (share of the eye's open value) on a scale from the model's reading of a shut eye
    /// (0) to the open eye (1): (share - shut) / (1 - shut), never below 0. The shut reading comes from the driver, whose
    /// blinks are real shut eyes; the same model reads the output, so an output lid that looks as shut as the driver's
    /// scores about 0.
    /// </summary>
    public static double Calibrated(double share, double shut) => Math.Max(0, (share - shut) / Math.Max(1 - shut, 1e-6));

    /// <summary>
    /// The frames where the driver's eye is closed (calibrated opening at most <see cref="ClosedOpening"/>), and the shut
    /// reading used: the driver's <see cref="ShutQuantile"/> quantile over its open value. None when that quantile stays
    /// above <see cref="ClosedEye"/> (no blink in the run).
    /// </summary>
    public List<int> ClosedFrames(Func<FaceReading, float> eye, out double shut)
    {
        var readings = _driver.Select(eye).ToArray();
        var open = Math.Max(Percentile(readings, 0.9), 1e-9);
        shut = Percentile(readings, ShutQuantile) / open;
        var frames = new List<int>();
        if (shut > ClosedEye) return frames;
        for (var i = 0; i < readings.Length; i++)
            if (Calibrated(readings[i] / open, shut) <= ClosedOpening) frames.Add(i);
        return frames;
    }

    /// <summary>
    /// The former blink measure, on the landmark model's raw scale: mean output eye opening over its open value (90th
    /// percentile) over the frames where the driver's reading is at most <see cref="ClosedEye"/> of its open value.
    /// A real shut eye reads about 0.5 here, so this cannot approach 0; kept for comparison in the log.
    /// </summary>
    public double RawBlinkRatio(Func<FaceReading, float> eye)
    {
        var driverOpen = Percentile(_driver.Select(eye).ToArray(), 0.9);
        var outputOpen = Percentile(_output.Select(eye).ToArray(), 0.9);
        var ratios = new List<double>();
        for (var i = 0; i < _driver.Count; i++)
            if (eye(_driver[i]) <= ClosedEye * driverOpen) ratios.Add(eye(_output[i]) / Math.Max(outputOpen, 1e-9));
        return ratios.Count == 0 ? double.NaN : ratios.Average();
    }

    /// <summary>Lowest and 90th-percentile driver and output opening of one eye (for the log).</summary>
    public string EyeRange(Func<FaceReading, float> eye) =>
        $"driver {_driver.Min(eye):F2}..{Percentile(_driver.Select(eye).ToArray(), 0.9):F2}, output {_output.Min(eye):F2}..{Percentile(_output.Select(eye).ToArray(), 0.9):F2}";

    public static double Pearson(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa <= 0 || sbb <= 0 ? 0 : sab / Math.Sqrt(saa * sbb);
    }

    public static double Pearson(float[] a, float[] b) => Pearson(a.Select(v => (double)v).ToArray(), b.Select(v => (double)v).ToArray());

    private static double StdDev(float[] v)
    {
        var m = v.Average();
        return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / Math.Max(v.Length - 1, 1));
    }

    private static double Percentile(float[] v, double q)
    {
        var s = v.OrderBy(x => x).ToArray();
        return s.Length == 0 ? 0 : s[Math.Min(s.Length - 1, (int)(q * s.Length))];
    }
}
