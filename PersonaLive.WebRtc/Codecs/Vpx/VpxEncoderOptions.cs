namespace PersonaLive.WebRtc.Codecs.Vpx;

/// <summary>
/// Settings of the realtime VP8 encoder (libwebrtc-like defaults, docs/webrtc.md "Realtime settings"):
/// the common ones (<see cref="VideoEncoderOptions"/>; 2 threads suit 640x480 and up) and libvpx's own.
/// </summary>
public sealed class VpxEncoderOptions : VideoEncoderOptions
{
    /// <summary>VP8E_SET_CPUUSED: -16..16; negative values fix the speed, larger magnitude is faster.</summary>
    public int CpuUsed { get; set; } = -8;

    /// <summary>Error-resilient mode: costs some compression, keeps decoding usable after losses.</summary>
    public bool ErrorResilient { get; set; } = true;

    /// <summary>
    /// VP8E_SET_STATIC_THRESHOLD: a macroblock whose difference from the reference stays under it is coded as
    /// skipped without a mode search (0 off).
    /// </summary>
    public int StaticThreshold { get; set; } = 100;

    /// <summary>Maximum distance between keyframes in frames (safety net; PLI drives keyframes).</summary>
    public int KeyframeMaxDistance { get; set; } = 3000;
}

/// <summary>One encoded VP8 frame.</summary>
public sealed record EncodedFrame(byte[] Data, bool IsKeyframe, long Pts);
