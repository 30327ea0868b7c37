namespace PersonaLive.Web.Live.Media;

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

    /// <summary>What our encoder runs at (kb/s): the lower of the loss- and delay-based estimates.</summary>
    public int EncoderBitrateKbps { get; init; }

    /// <summary>Packets we resent after NACKs.</summary>
    public long Retransmissions { get; init; }

    /// <summary>Times our pacer dropped its queue for a keyframe.</summary>
    public long PacerFlushes { get; init; }

    /// <summary>Keyframe requests answered by the keyframe we had just sent.</summary>
    public long KeyframeRequestsCovered { get; init; }

    /// <summary>Incoming frames given up (incomplete after the loss timeout, or waiting for a keyframe).</summary>
    public long FramesLost { get; init; }

    /// <summary>Incoming keyframes decoded.</summary>
    public long KeyframesDecoded { get; init; }

    /// <summary>NACKs we sent about the incoming video.</summary>
    public long NacksSent { get; init; }

    /// <summary>Keyframe requests (PLI) we sent about the incoming video.</summary>
    public long PlisSent { get; init; }
}
