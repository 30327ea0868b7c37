namespace PersonaLive.WebRtc.Codecs;

/// <summary>
/// What every realtime encoder is configured with: picture size, frame rate, start bitrate and its
/// bounds (kb/s; the start is clamped into them), and threads. Each codec's options add their own
/// settings (<c>VpxEncoderOptions</c>, <c>H264EncoderOptions</c>).
/// </summary>
public abstract class VideoEncoderOptions
{
    public int Width { get; set; } = 512;
    public int Height { get; set; } = 512;
    public int FramesPerSecond { get; set; } = 30;
    public int BitrateKbps { get; set; } = 1200;
    public int MinBitrateKbps { get; set; } = 150;
    public int MaxBitrateKbps { get; set; } = 2500;

    /// <summary>Encoder threads (1 is enough for small frames and keeps the output deterministic).</summary>
    public int Threads { get; set; } = 1;

    /// <summary>
    /// Highest bitrate worth spending on a picture of this size at a camera's frame rate (kb/s): 600 up to
    /// 320x240, 1700 up to 640x480, 2000 up to 960x540, 2500 above (the ceilings browsers use for a camera
    /// track). More bits buy no visible quality at these sizes, but cost encoder time, packets and SRTP work.
    /// </summary>
    public static int CeilingKbps(int width, int height)
    {
        long pixels = (long)width * height;
        return pixels <= 320 * 240 ? 600 : pixels <= 640 * 480 ? 1700 : pixels <= 960 * 540 ? 2000 : 2500;
    }

    /// <summary>
    /// Takes size, bitrate bounds and threads from what the sender asks of a new encoder; the upper bound
    /// is lowered to the size's <see cref="CeilingKbps"/> (never below the lower bound).
    /// </summary>
    internal void Apply(VideoEncoderSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Width = settings.Width;
        Height = settings.Height;
        BitrateKbps = settings.BitrateKbps;
        MinBitrateKbps = settings.MinBitrateKbps;
        MaxBitrateKbps = Math.Max(settings.MinBitrateKbps, Math.Min(settings.MaxBitrateKbps, CeilingKbps(settings.Width, settings.Height)));
        Threads = settings.Threads;
    }
}
