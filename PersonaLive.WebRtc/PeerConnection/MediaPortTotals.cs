namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// Everything the shared media port has received, sent and dropped since it opened, over all peer
/// connections, live and closed: what an operator exports to watch for floods, broken peers and bugs.
/// Drops by reason: not STUN/DTLS/RTP/RTCP or unparsable (<see cref="DroppedMalformed"/>), from an
/// address no session authenticated (<see cref="DroppedUnknownSource"/>), failing SRTP/SRTCP
/// authentication, STUN integrity or the DTLS record checks (<see cref="DroppedUnauthenticated"/>),
/// replayed (<see cref="DroppedReplayed"/>), and exceptions that reached the socket loop
/// (<see cref="HandlerErrors"/>, a bug when not 0).
/// </summary>
public sealed record MediaPortTotals
{
    public long PacketsReceived { get; init; }
    public long BytesReceived { get; init; }
    public long PacketsSent { get; init; }
    public long BytesSent { get; init; }
    public long NacksReceived { get; init; }
    public long PlisReceived { get; init; }
    public long DroppedMalformed { get; init; }
    public long DroppedUnknownSource { get; init; }
    public long DroppedUnauthenticated { get; init; }
    public long DroppedReplayed { get; init; }
    public long HandlerErrors { get; init; }

    /// <summary>Adds one peer connection's counters (its drops, packets and feedback) to these totals.</summary>
    public MediaPortTotals Plus(PeerConnectionStats s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return this with
        {
            PacketsReceived = PacketsReceived + s.PacketsReceived,
            BytesReceived = BytesReceived + s.BytesReceived,
            PacketsSent = PacketsSent + s.PacketsSent,
            BytesSent = BytesSent + s.BytesSent,
            NacksReceived = NacksReceived + s.NacksReceived,
            PlisReceived = PlisReceived + s.PlisReceived + s.FirsReceived,
            DroppedMalformed = DroppedMalformed + s.DroppedMalformed,
            DroppedUnauthenticated = DroppedUnauthenticated + s.DroppedUnauthenticated,
            DroppedReplayed = DroppedReplayed + s.DroppedReplayed,
        };
    }
}
