namespace PersonaLive.WebRtc.Rtcp;

/// <summary>One reception report block of an SR or RR (RFC 3550 section 6.4.1).</summary>
public readonly record struct ReportBlock(
    uint Ssrc,
    byte FractionLost,
    int CumulativeLost,
    uint ExtendedHighestSequence,
    uint Jitter,
    uint LastSenderReport,
    uint DelaySinceLastSenderReport);

/// <summary>The sender information of an SR (RFC 3550 section 6.4.1).</summary>
public readonly record struct SenderInfo(uint Ssrc, ulong NtpTime, uint RtpTimestamp, uint PacketCount, uint OctetCount);

/// <summary>RTCP packet types and feedback formats (RFC 3550, RFC 4585, RFC 5104, draft-alvestrand-rmcat-remb).</summary>
public static class RtcpTypes
{
    public const byte SenderReport = 200;
    public const byte ReceiverReport = 201;
    public const byte SourceDescription = 202;
    public const byte Goodbye = 203;
    public const byte TransportFeedback = 205;
    public const byte PayloadFeedback = 206;
    public const byte ExtendedReport = 207;

    public const int FmtGenericNack = 1;
    public const int FmtPli = 1;
    public const int FmtFir = 4;
    public const int FmtApplication = 15;

    /// <summary>Transport-wide congestion control feedback (RTPFB, draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1).</summary>
    public const int FmtTransportCc = 15;
}
