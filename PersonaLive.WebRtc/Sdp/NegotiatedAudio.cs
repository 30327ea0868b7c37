namespace PersonaLive.WebRtc.Sdp;

/// <summary>
/// The negotiated audio m-line: Opus only (RFC 7587 section 7: <c>opus/48000/2</c>), bundled on the
/// video's transport (RFC 8843). We never decode it: the microphone's packets are relayed as they are.
/// </summary>
public sealed record NegotiatedAudio
{
    /// <summary>The Opus RTP clock rate (RFC 7587 section 4.1: always 48 kHz, whatever the coded bandwidth).</summary>
    public const int ClockRate = 48000;

    public required string Mid { get; init; }
    public required int OpusPayloadType { get; init; }

    /// <summary>The remote side's direction attribute.</summary>
    public required string RemoteDirection { get; init; }

    /// <summary>Our direction: the remote one mirrored.</summary>
    public required string LocalDirection { get; init; }

    /// <summary>The remote side's a=fmtp for Opus (echoed in our answer so stereo/FEC choices stay as offered).</summary>
    public string? RemoteFmtp { get; init; }

    public bool WeSend => LocalDirection is "sendrecv" or "sendonly";

    public bool WeReceive => LocalDirection is "sendrecv" or "recvonly";
}
