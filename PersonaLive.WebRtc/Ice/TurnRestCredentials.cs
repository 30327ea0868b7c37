using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PersonaLive.WebRtc.Ice;

/// <summary>
/// Time-limited TURN credentials from a secret shared with the TURN server (the "TURN REST API"
/// convention that coturn implements with <c>use-auth-secret</c> / <c>static-auth-secret</c>): the
/// username is <c>expiry:label</c> with the expiry in Unix seconds, and the password is
/// base64(HMAC-SHA1(secret, username)). The TURN server recomputes the password from the username and
/// rejects it after the expiry, so what a browser learns is useless after the TTL.
/// </summary>
public static class TurnRestCredentials
{
    /// <summary>Derives the (username, credential) pair for <paramref name="label"/>, valid until <paramref name="now"/> + <paramref name="ttl"/>.</summary>
    public static (string Username, string Credential) Create(string sharedSecret, string label, DateTimeOffset now, TimeSpan ttl)
    {
        ArgumentException.ThrowIfNullOrEmpty(sharedSecret);
        if (label.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException("The label must not contain ':' (it separates the expiry).", nameof(label));
        }

        long expiry = now.Add(ttl).ToUnixTimeSeconds();
        string username = string.IsNullOrEmpty(label)
            ? expiry.ToString(CultureInfo.InvariantCulture)
            : $"{expiry.ToString(CultureInfo.InvariantCulture)}:{label}";
        byte[] mac = HMACSHA1.HashData(Encoding.UTF8.GetBytes(sharedSecret), Encoding.UTF8.GetBytes(username));
        return (username, Convert.ToBase64String(mac));
    }
}
