namespace PersonaLive.WebRtc.Srtp;

/// <summary>Outcome of unprotecting one SRTP/SRTCP packet.</summary>
public enum SrtpResult
{
    Ok,
    /// <summary>Too short, bad header or lengths.</summary>
    Malformed,
    /// <summary>Tag did not verify.</summary>
    AuthenticationFailed,
    /// <summary>Index already seen or older than the replay window.</summary>
    Replayed,
    /// <summary>Too many SSRCs for one session.</summary>
    TooManyStreams,
}
