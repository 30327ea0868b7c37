namespace PersonaLive.WebRtc.Rtcp.TransportCc;

/// <summary>One packet's entry in a transport-cc feedback: its transport-wide sequence number and, if it
/// arrived, its arrival time relative to the feedback's reference time, in microseconds.</summary>
public readonly record struct TransportPacketStatus(ushort Sequence, bool Received, long ArrivalOffsetUs);

/// <summary>
/// A parsed transport-wide congestion control feedback (RTPFB FMT 15,
/// draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1): the base sequence number, the
/// reference time (24-bit signed, multiples of 64 ms), the feedback packet count (8 bits, wrapping) and
/// the status of every packet from the base on. Arrival offsets are reference time plus the running sum
/// of receive deltas (250 µs units).
/// </summary>
public sealed record TransportFeedback(
    uint SenderSsrc,
    uint MediaSsrc,
    ushort BaseSequence,
    int ReferenceTime64Ms,
    byte FeedbackCount,
    IReadOnlyList<TransportPacketStatus> Packets)
{
    /// <summary>Receive deltas are counted in 250 µs ticks.</summary>
    public const int DeltaTickUs = 250;

    /// <summary>The reference time unit.</summary>
    public const int ReferenceTickUs = 64_000;

    /// <summary>Largest packet status count we accept in one feedback (a full MTU of 1-bit vectors is about 9000).</summary>
    public const int MaxPacketStatusCount = 16_384;
}

/// <summary>
/// The fixed fields of one parsed transport-cc feedback (see <see cref="TransportFeedback"/>) and where
/// its packet statuses start (<see cref="FirstPacket"/>, <see cref="PacketCount"/> of them) in the list
/// they were parsed into: a value, so a reused report holds feedback without allocating.
/// </summary>
public readonly record struct TransportFeedbackHeader(
    uint SenderSsrc,
    uint MediaSsrc,
    ushort BaseSequence,
    int ReferenceTime64Ms,
    byte FeedbackCount,
    int FirstPacket,
    int PacketCount);
