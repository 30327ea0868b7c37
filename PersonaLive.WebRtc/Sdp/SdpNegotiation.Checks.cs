namespace PersonaLive.WebRtc.Sdp;

/// <summary>The syntax checks of offer/answer values: DTLS fingerprints (RFC 8122) and mids (RFC 8843).</summary>
public static partial class SdpNegotiation
{
    /// <summary>Parses "sha-256 AA:BB:..." (RFC 8122 section 5).</summary>
    public static (string Algorithm, byte[] Digest) ParseFingerprint(string value)
    {
        var parts = value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2)
        {
            throw new SdpException($"Malformed a=fingerprint '{value}'.");
        }

        string algorithm = parts[0].ToLowerInvariant();
        int expected = algorithm switch { "sha-256" => 32, "sha-384" => 48, "sha-512" => 64, _ => -1 };
        if (expected < 0)
        {
            throw new SdpException($"Unsupported fingerprint hash '{parts[0]}' (use sha-256, sha-384 or sha-512).");
        }

        try
        {
            byte[] digest = Convert.FromHexString(parts[1].Replace(":", "", StringComparison.Ordinal));
            if (digest.Length != expected)
            {
                throw new SdpException($"The {algorithm} fingerprint has {digest.Length} bytes, expected {expected}.");
            }

            return (algorithm, digest);
        }
        catch (FormatException e)
        {
            throw new SdpException($"Malformed a=fingerprint '{value}'.", e);
        }
    }

    private static bool IsValidMid(string mid) =>
        mid.Length is >= 1 and <= 32 && mid.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_' || ch == '-');
}
