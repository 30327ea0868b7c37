using System.Diagnostics;
using System.Numerics;
using PersonaLive.Inference.Imaging;

namespace PersonaLive.Inference.Faces;

/// <summary>
/// Per-session face tracking: detect once, then follow the face with an ROI derived from the previous
/// frame's landmarks, and run the detector again only when the landmark model's presence score drops
/// below 0.5. Records how long each stage took (for the benchmark).
/// </summary>
public sealed class FaceTracker(FaceDetector detector, FaceLandmarker landmarker) : IDisposable
{
    public const float MinPresence = 0.5f;
    private FaceRoi? _roi;

    public double LastDetectMs { get; private set; }
    public double LastLandmarksMs { get; private set; }

    /// <summary>Number of detector runs so far (tracking efficiency, tests).</summary>
    public int DetectorRuns { get; private set; }

    /// <summary>Forgets the tracked face (next frame runs the detector).</summary>
    public void Reset() => _roi = null;

    /// <summary>Finds the face's 468 landmarks in <paramref name="image"/>; false when no face is visible.</summary>
    public bool Track(RgbaImage image, Span<Vector3> points)
    {
        LastDetectMs = LastLandmarksMs = 0;
        var detected = false;
        if (_roi is null)
        {
            if (!Detect(image)) return false;
            detected = true;
        }
        var presence = RunLandmarks(image, points);
        if (presence < MinPresence && !detected)
        {
            if (!Detect(image)) return false;
            presence = RunLandmarks(image, points);
        }
        if (presence < MinPresence)
        {
            _roi = null;
            return false;
        }
        _roi = FaceRoi.FromLandmarks(points);
        return true;
    }

    private bool Detect(RgbaImage image)
    {
        var t = Stopwatch.GetTimestamp();
        var faces = detector.Detect(image);
        DetectorRuns++;
        LastDetectMs += Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        _roi = faces.Count > 0 ? FaceRoi.FromDetection(faces[0]) : null;
        return _roi is not null;
    }

    private float RunLandmarks(RgbaImage image, Span<Vector3> points)
    {
        var t = Stopwatch.GetTimestamp();
        var p = landmarker.Run(image, _roi!.Value, points);
        LastLandmarksMs += Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        return p;
    }

    public void Dispose()
    {
        detector.Dispose();
        landmarker.Dispose();
    }
}
