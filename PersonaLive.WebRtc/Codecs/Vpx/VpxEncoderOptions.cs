namespace PersonaLive.WebRtc.Codecs.Vpx;

/// <summary>Settings of the realtime VP8 encoder (libwebrtc-like defaults, docs/webrtc.md "Realtime settings").</summary>
public sealed class VpxEncoderOptions
{
    public int Width { get; set; } = 512;
    public int Height { get; set; } = 512;
    public int FramesPerSecond { get; set; } = 30;
    public int BitrateKbps { get; set; } = 1200;
    public int MinBitrateKbps { get; set; } = 150;
    public int MaxBitrateKbps { get; set; } = 2500;

    /// <summary>Encoder threads (1 for small frames; 2 from about 640x480).</summary>
    public int Threads { get; set; } = 1;

    /// <summary>VP8E_SET_CPUUSED: -16..16; negative values fix the speed, larger magnitude is faster.</summary>
    public int CpuUsed { get; set; } = -8;

    /// <summary>Error-resilient mode: costs some compression, keeps decoding usable after losses.</summary>
    public bool ErrorResilient { get; set; } = true;

    /// <summary>Maximum distance between keyframes in frames (safety net; PLI drives keyframes).</summary>
    public int KeyframeMaxDistance { get; set; } = 3000;
}

/// <summary>One encoded VP8 frame.</summary>
public sealed record EncodedFrame(byte[] Data, bool IsKeyframe, long Pts);
