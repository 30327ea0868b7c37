using System.Net;
using PersonaLive.WebRtc.Rtp.Extensions;

namespace PersonaLive.WebRtc.Sdp;

/// <summary>What we put in our side of the offer/answer: ICE credentials, certificate fingerprint, candidates, our stream.</summary>
public sealed record LocalMediaParameters(
    string IceUfrag,
    string IcePassword,
    string FingerprintSha256,
    IReadOnlyList<IPEndPoint> Candidates,
    uint Ssrc,
    string Cname,
    string StreamId,
    string TrackId)
{
    /// <summary>Our RTX SSRC (RFC 4588), announced with <c>a=ssrc-group:FID</c> when RTX is negotiated (0: none).</summary>
    public uint RtxSsrc { get; init; }

    /// <summary>Our audio SSRC (0: we send no audio).</summary>
    public uint AudioSsrc { get; init; }

    /// <summary>Our audio track id (same stream id as the video, so the two play in sync).</summary>
    public string AudioTrackId { get; init; } = "audio";
}

/// <summary>The negotiated video m-line, read from the remote description.</summary>
public sealed record NegotiatedVideo
{
    public required string Mid { get; init; }

    /// <summary>RTP payload type of the negotiated codec (<see cref="Codec"/>), the same in both directions.</summary>
    public required int PayloadType { get; init; }

    /// <summary>The negotiated video codec.</summary>
    public VideoCodec Codec { get; init; } = VideoCodec.Vp8;

    /// <summary>The agreed H.264 format when <see cref="Codec"/> is H.264.</summary>
    public H264Format? H264 { get; init; }
    public required string RemoteIceUfrag { get; init; }
    public required string RemoteIcePassword { get; init; }
    public required string RemoteFingerprintAlgorithm { get; init; }
    public required byte[] RemoteFingerprint { get; init; }

    /// <summary>The remote side's direction attribute.</summary>
    public required string RemoteDirection { get; init; }

    /// <summary>Our direction: the remote one mirrored (RFC 8829 section 5.3.1).</summary>
    public required string LocalDirection { get; init; }

    public required string RemoteSetup { get; init; }
    public required bool RemoteIceLite { get; init; }
    public required IReadOnlyList<uint> RemoteSsrcs { get; init; }
    public required IReadOnlyList<IPEndPoint> RemoteCandidates { get; init; }
    public bool Nack { get; init; }
    public bool Pli { get; init; }
    public bool Fir { get; init; }
    public bool Remb { get; init; }
    public bool ReducedSizeRtcp { get; init; }

    /// <summary>The RTX payload type tied to <see cref="PayloadType"/> (RFC 4588 section 8.1), -1 when not offered: plain NACK resends then.</summary>
    public int RtxPayloadType { get; init; } = -1;

    /// <summary>The remote side's RTX SSRC from its <c>a=ssrc-group:FID</c>, 0 when unknown.</summary>
    public uint RemoteRtxSsrc { get; init; }

    /// <summary>RTP header extensions both sides use, with the remote ids (RFC 8285 section 5).</summary>
    public RtpExtensionMap Extensions { get; init; } = RtpExtensionMap.None;

    /// <summary>The bundled Opus audio m-line, when the remote side offered one we accept.</summary>
    public NegotiatedAudio? Audio { get; init; }

    public bool WeSend => LocalDirection is "sendrecv" or "sendonly";

    public bool WeReceive => LocalDirection is "sendrecv" or "recvonly";
}
