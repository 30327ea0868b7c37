namespace PersonaLive.WebRtc.Sdp;

/// <summary>
/// An offer or answer this stack cannot use (malformed SDP, no VP8, no DTLS fingerprint, ...). The
/// message says what is wrong in terms a developer can act on.
/// </summary>
public sealed class SdpException : Exception
{
    public SdpException(string message) : base(message)
    {
    }

    public SdpException(string message, Exception inner) : base(message, inner)
    {
    }
}
