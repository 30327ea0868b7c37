namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>A snapshot of one peer connection's counters.</summary>
public sealed record PeerConnectionStats
{
    public PeerConnectionState State { get; init; }
    public long PacketsReceived { get; init; }
    public long BytesReceived { get; init; }
    public long PacketsSent { get; init; }
    public long BytesSent { get; init; }
    public long FramesDecoded { get; init; }

    /// <summary>
    /// Complete frames with an intact reference chain handed to the decode stage (after the wait for a
    /// keyframe following any break). Counted whether or not <see cref="RtcOptions.DecodeIncomingVideo"/>
    /// is on; with decoding on, <see cref="FramesDecoded"/> is this minus the frames libvpx rejected.
    /// </summary>
    public long FramesAssembled { get; init; }
    public long FramesEncoded { get; init; }
    public long FramesSent { get; init; }
    public long FramesLost { get; init; }
    public long FramesRecovered { get; init; }
    public long KeyframesDecoded { get; init; }
    public long NacksSent { get; init; }
    public long NacksReceived { get; init; }
    public long Retransmissions { get; init; }

    /// <summary>NACKed packets we did not resend: over the retransmission budget, or resent just before.</summary>
    public long RetransmissionsSkipped { get; init; }

    /// <summary>Retransmissions we sent on the RTX stream (RFC 4588); included in <see cref="Retransmissions"/>.</summary>
    public long RtxSent { get; init; }

    /// <summary>Retransmissions the peer sent on its RTX stream that we restored and used.</summary>
    public long RtxReceived { get; init; }

    /// <summary>Pictures not encoded because the target bitrate was under <see cref="RtcOptions.FrameRateFloorKbps"/>.</summary>
    public long FramesSkippedForRate { get; init; }

    /// <summary>Times our pacer queue waited longer than its limit and was dropped for a keyframe.</summary>
    public long PacerFlushes { get; init; }

    /// <summary>Keyframe requests (PLI, FIR) answered by the keyframe we had just sent instead of by another one.</summary>
    public long KeyframeRequestsCovered { get; init; }
    public long PlisSent { get; init; }
    public long PlisReceived { get; init; }
    public long FirsReceived { get; init; }
    /// <summary>Packets that failed to parse (SRTP/SRTCP framing, RTP/RTCP, DTLS records, VP8 descriptor).</summary>
    public long DroppedMalformed { get; init; }

    /// <summary>Authentic RTP packets the frame assembler could not use: late, duplicate, or beyond its reorder buffer.</summary>
    public long DroppedLateOrDuplicate { get; init; }
    public long DroppedUnauthenticated { get; init; }
    public long DroppedReplayed { get; init; }
    /// <summary>The loss-based send target (kb/s; receiver reports and REMB).</summary>
    public int TargetBitrateKbps { get; init; }

    /// <summary>
    /// What we may put on the path (kb/s): the lower of the loss-based and the delay-based estimate. The
    /// encoder gets this less headers and resends.
    /// </summary>
    public int SendTargetKbps { get; init; }

    /// <summary>
    /// Bitrate our own VP8 encoder runs at (kb/s); follows the encoder's share of <see cref="SendTargetKbps"/> from the next
    /// <c>SendFrame</c> on. 0 until <c>SendFrame</c> encoded a frame (a viewer fed through
    /// <c>SendEncodedFrame</c> has no encoder of its own).
    /// </summary>
    public int EncoderBitrateKbps { get; init; }
    public ulong? RemoteEstimatedBitrate { get; init; }

    /// <summary>Loss the remote receiver reported about our stream (last RR), 0..1.</summary>
    public double RemoteFractionLost { get; init; }

    /// <summary>Round-trip time from the last receiver report about our stream (RFC 3550 section 6.4.1), null before one.</summary>
    public double? RoundTripMs { get; init; }

    /// <summary>Packets of the remote stream that never arrived (RFC 3550 section 6.4.1 cumulative lost).</summary>
    public long PacketsLost { get; init; }

    /// <summary>Loss we measured on the remote stream (last report interval), 0..1.</summary>
    public double LocalFractionLost { get; init; }

    public string? SrtpProfile { get; init; }

    /// <summary>
    /// Exceptions thrown by application event handlers (state, keyframe, frame events). Each was caught,
    /// logged and isolated from the other subscribers and from the connection; a non-zero value is a bug
    /// in a subscriber, not in the stack.
    /// </summary>
    public long HandlerFailures { get; init; }

    /// <summary>Work items of the connection's executor that threw (logged; the connection went on). A bug when not 0.</summary>
    public long InternalErrors { get; init; }

    /// <summary>Transport-cc feedback packets we sent about the remote stream.</summary>
    public long TransportFeedbackSent { get; init; }

    /// <summary>Transport-cc feedback packets the peer sent about our stream (parsed and matched).</summary>
    public long TransportFeedbackReceived { get; init; }

    /// <summary>Our packets the peer's transport-cc feedback reported received.</summary>
    public long TransportCcPacketsReported { get; init; }
}
