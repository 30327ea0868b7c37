using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.Codecs.Vpx;

namespace PersonaLive.WebRtc.Codecs;

/// <summary>
/// The codec seam of a sending transceiver: turns I420 pictures into encoded frames (VP8 or H.264 Annex B
/// access units). Keyframes on demand (PLI/FIR, a new viewer) and a run-time bitrate are all the peer
/// connection needs from an encoder. Timestamps are in 1/90000 s so the RTP timestamp can be the pts.
/// </summary>
public interface IVideoEncoder : IDisposable
{
    int Width { get; }

    int Height { get; }

    /// <summary>Current target bitrate in kb/s.</summary>
    int BitrateKbps { get; }

    /// <summary>Changes the target bitrate (clamped to the encoder's bounds).</summary>
    void SetBitrate(int kbps);

    /// <summary>Encodes one picture; normally one frame comes out, none when the encoder skipped it.</summary>
    IReadOnlyList<EncodedFrame> Encode(I420Frame frame, long pts90k, bool forceKeyframe);
}

/// <summary>
/// The codec seam of a receiving transceiver: one assembled frame in, at most one picture out. A frame
/// the decoder rejects is reported as false (never thrown) so the caller can ask for a keyframe.
/// </summary>
public interface IVideoDecoder : IDisposable
{
    bool TryDecode(ReadOnlySpan<byte> frame, out I420Frame? picture);
}

/// <summary>Receives one RTP payload and whether it ends the frame (the RTP marker bit).</summary>
public delegate void RtpPayloadSink(ReadOnlySpan<byte> payload, bool marker);

/// <summary>Splits one encoded frame into RTP payloads no larger than <see cref="MaxPayloadSize"/>.</summary>
public interface IVideoPacketiser
{
    int MaxPayloadSize { get; }

    /// <summary>Calls <paramref name="emit"/> once per payload; <paramref name="scratch"/> holds at least MaxPayloadSize bytes.</summary>
    void Packetize(ReadOnlySpan<byte> frame, Span<byte> scratch, RtpPayloadSink emit);
}

/// <summary>
/// Turns RTP packets of one video stream back into complete frames in order: waits a while for NACK
/// retransmissions, gives up on a frame after that, and then asks for a keyframe
/// (<see cref="KeyframeNeeded"/>) because later inter frames cannot be decoded. Bounded; not thread-safe.
/// </summary>
public interface IVideoDepacketiser
{
    /// <summary>Set when the decoder needs a keyframe; the caller clears it after sending PLI.</summary>
    bool KeyframeNeeded { get; set; }

    /// <summary>Frames given up or discarded while waiting for a keyframe.</summary>
    long LostFrames { get; }

    /// <summary>Complete frames that needed at least one retransmitted packet.</summary>
    long RecoveredFrames { get; }

    /// <summary>Packets whose payload did not parse.</summary>
    long MalformedPackets { get; }

    /// <summary>All packets dropped (malformed, late, duplicate, overflow).</summary>
    long DroppedPackets { get; }

    /// <summary>Missing sequence numbers below the highest received one, for NACK generation.</summary>
    void CollectMissing(List<ushort> missing, int max);

    /// <summary>Adds one packet (payload after the RTP header) and appends any frames it completes.</summary>
    void Insert(ushort sequence, uint timestamp, bool marker, ReadOnlySpan<byte> payload, bool retransmitted, long nowMs, List<AssembledFrame> output);

    /// <summary>Applies the loss timeout; call periodically.</summary>
    void Poll(long nowMs, List<AssembledFrame> output);
}
