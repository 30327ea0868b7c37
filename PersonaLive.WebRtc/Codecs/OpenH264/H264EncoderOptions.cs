namespace PersonaLive.WebRtc.Codecs.OpenH264;

/// <summary>
/// Settings of the realtime H.264 encoder: Constrained Baseline (what every WebRTC H.264 peer decodes,
/// profile-level-id 42e01f), bitrate-mode rate control, IDR only on demand: the common settings
/// (<see cref="VideoEncoderOptions"/>) and OpenH264's own.
/// </summary>
public sealed class H264EncoderOptions : VideoEncoderOptions
{

    /// <summary>level_idc written into the SPS (31 = level 3.1, the 1f of 42e01f).</summary>
    public int LevelIdc { get; set; } = 31;

    /// <summary>
    /// Largest NAL unit in bytes, 0 for one slice per picture. packetization-mode 0 needs this (every NAL
    /// must fit one RTP packet, RFC 6184 section 6.2); mode 1 fragments large NALs with FU-A instead.
    /// </summary>
    public int MaxNalSize { get; set; }

    /// <summary>IDR period in frames, 0 for IDR only on demand (PLI/FIR drive keyframes).</summary>
    public int IdrPeriod { get; set; }
}
