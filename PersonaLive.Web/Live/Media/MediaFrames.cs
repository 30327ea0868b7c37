namespace PersonaLive.Web.Live.Media;

/// <summary>
/// A borrowed view of an I420 (YUV 4:2:0 planar) picture: full-resolution Y, half-resolution U and V,
/// each with its own stride (decoders pad rows, so stride is often larger than the width).
/// </summary>
internal readonly ref struct I420FrameView
{
    public I420FrameView(int width, int height, ReadOnlySpan<byte> y, int strideY, ReadOnlySpan<byte> u, int strideU, ReadOnlySpan<byte> v, int strideV)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        int cw = (width + 1) / 2, ch = (height + 1) / 2;
        if (strideY < width || strideU < cw || strideV < cw)
            throw new ArgumentException("I420 stride is smaller than the row width.");
        if (y.Length < (height - 1) * strideY + width || u.Length < (ch - 1) * strideU + cw || v.Length < (ch - 1) * strideV + cw)
            throw new ArgumentException("I420 plane is smaller than its dimensions require.");
        Width = width; Height = height; Y = y; U = u; V = v; StrideY = strideY; StrideU = strideU; StrideV = strideV;
    }

    public int Width { get; }
    public int Height { get; }
    public ReadOnlySpan<byte> Y { get; }
    public ReadOnlySpan<byte> U { get; }
    public ReadOnlySpan<byte> V { get; }
    public int StrideY { get; }
    public int StrideU { get; }
    public int StrideV { get; }
}

/// <summary>A decoded camera frame as the media stack hands it over (valid during the callback only).</summary>
/// <param name="image">The decoded picture.</param>
/// <param name="rtpTimestamp">The frame's RTP timestamp (90 kHz video clock).</param>
/// <param name="captureTimeUs">Sender capture time (Unix epoch microseconds, browser clock) once an RTCP SR maps RTP to NTP time; null before that.</param>
internal readonly ref struct DecodedVideoFrame(I420FrameView image, uint rtpTimestamp, long? captureTimeUs)
{
    public I420FrameView Image { get; } = image;
    public uint RtpTimestamp { get; } = rtpTimestamp;
    public long? CaptureTimeUs { get; } = captureTimeUs;
}

/// <summary>One encoded frame (valid during the callback only), for the viewer fan-out; <see cref="Codec"/> says which bitstream (VP8, H264).</summary>
internal readonly ref struct EncodedVideoFrame(ReadOnlySpan<byte> data, bool isKeyframe, uint rtpTimestamp, long captureTimeUs, int width, int height, string codec = "VP8")
{
    public string Codec { get; } = codec;
    public ReadOnlySpan<byte> Data { get; } = data;
    public bool IsKeyframe { get; } = isKeyframe;
    public uint RtpTimestamp { get; } = rtpTimestamp;
    public long CaptureTimeUs { get; } = captureTimeUs;
    public int Width { get; } = width;
    public int Height { get; } = height;
}

/// <summary>Transport counters of one peer (cumulative; rates are derived by the caller).</summary>
internal sealed record MediaPeerStats(
    long BytesReceived,
    long BytesSent,
    long FramesDecoded,
    long FramesSent,
    long PacketsLost,
    double? RoundTripMs,
    long TargetBitrateBps)
{
    public long PacketsReceived { get; init; }
    public long PacketsSent { get; init; }
    public long NacksReceived { get; init; }

    /// <summary>Keyframe requests received (PLI and FIR).</summary>
    public long PlisReceived { get; init; }

    /// <summary>Fraction of our packets the browser reported lost in its last receiver report (0..1).</summary>
    public double RemoteFractionLost { get; init; }
}
