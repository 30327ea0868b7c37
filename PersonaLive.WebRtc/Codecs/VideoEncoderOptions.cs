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

    /// <summary>Takes size, bitrate bounds and threads from what the sender asks of a new encoder.</summary>
    internal void Apply(VideoEncoderSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Width = settings.Width;
        Height = settings.Height;
        BitrateKbps = settings.BitrateKbps;
        MinBitrateKbps = settings.MinBitrateKbps;
        MaxBitrateKbps = settings.MaxBitrateKbps;
        Threads = settings.Threads;
    }
}
