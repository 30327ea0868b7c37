using PersonaLive.Media;
using PersonaLive.WebRtc.Codecs.Vpx;
using PersonaLive.WebRtc.PeerConnection;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// A camera loop VP8-encoded once, so that many <see cref="SyntheticLiveClient"/>s can send it without an
/// encoder each (the <c>sessions</c> benchmark measures the server, not its clients). One realtime
/// encoder with the server's settings (<see cref="RtcOptions"/> defaults: start bitrate, CPU speed,
/// error resilience) encodes every picture in order; a keyframe is forced at the first picture and every
/// <see cref="KeyframeInterval"/> pictures after it, so the loop wraps onto a keyframe and a client that
/// starts at position 0 starts at a keyframe. A client cannot honour a PLI at once: the server gets the
/// next keyframe of the loop instead, at most <see cref="KeyframeInterval"/> frames (1 s at 30 fps) later.
/// </summary>
internal sealed class EncodedCameraLoop
{
    /// <summary>Pictures between forced keyframes (1 s at a webcam's 30 fps).</summary>
    public const int KeyframeInterval = 30;

    private readonly EncodedFrame[][] _frames;

    private EncodedCameraLoop(EncodedFrame[][] frames) => _frames = frames;

    /// <summary>Loop positions (one per camera picture).</summary>
    public int Count => _frames.Length;

    /// <summary>Keyframes in the loop.</summary>
    public int Keyframes => _frames.Sum(f => f.Count(e => e.IsKeyframe));

    /// <summary>Mean encoded size of one loop position in bytes.</summary>
    public double MeanBytes => _frames.Average(f => f.Sum(e => (double)e.Data.Length));

    /// <summary>The encoded frames for one camera picture (normally one; empty if the encoder dropped it).</summary>
    public IReadOnlyList<EncodedFrame> At(int position) => _frames[position];

    /// <summary>Encodes <paramref name="camera"/> (all pictures the same size) at <paramref name="fps"/>.</summary>
    public static EncodedCameraLoop Encode(IReadOnlyList<I420Frame> camera, int fps = 30)
    {
        ArgumentNullException.ThrowIfNull(camera);
        if (camera.Count == 0) throw new ArgumentException("The camera loop is empty.", nameof(camera));
        var rtc = new RtcOptions();
        var first = camera[0];
        using var encoder = new VpxEncoder(new VpxEncoderOptions
        {
            Width = first.Width,
            Height = first.Height,
            FramesPerSecond = fps,
            BitrateKbps = rtc.StartOutgoingBitrateKbps,
            MinBitrateKbps = rtc.MinOutgoingBitrateKbps,
            MaxBitrateKbps = rtc.MaxOutgoingBitrateKbps,
            CpuUsed = rtc.EncoderCpuUsed,
            Threads = first.Width * first.Height >= 640 * 480 ? 2 : 1,
            KeyframeMaxDistance = KeyframeInterval,
        });
        var frames = new EncodedFrame[camera.Count][];
        for (var i = 0; i < camera.Count; i++)
        {
            frames[i] = encoder.Encode(camera[i], i * 90_000L / fps, forceKeyframe: i % KeyframeInterval == 0).ToArray();
        }

        if (frames[0] is not [{ IsKeyframe: true }, ..])
            throw new InvalidOperationException("The encoder did not start the camera loop with a keyframe.");
        return new EncodedCameraLoop(frames);
    }
}
