using PersonaLive.WebRtc.Ice;
using PersonaLive.WebRtc.PeerConnection;

namespace PersonaLive.Web.Live.Media.Rtc;

/// <summary>One RTCIceServer dictionary as the page's RTCPeerConnection takes it (serialised to camelCase JSON).</summary>
public sealed record BrowserIceServer(IReadOnlyList<string> Urls, string? Username, string? Credential);

/// <summary>
/// The ICE servers a page gets: <c>Rtc:IceServers</c> with fixed credentials as configured, and entries
/// with a shared secret turned into a credential of their own for this page (TURN REST API convention,
/// <see cref="TurnRestCredentials"/>), so the secret never leaves the server.
/// </summary>
public static class BrowserIceServers
{
    /// <summary>The list for one page; <paramref name="label"/> names the page's session in the TURN server's log (no ':').</summary>
    public static IReadOnlyList<BrowserIceServer> For(RtcOptions options, string label, TimeProvider time)
    {
        var list = new List<BrowserIceServer>(options.IceServers.Count);
        foreach (var server in options.IceServers)
        {
            if (!string.IsNullOrEmpty(server.SharedSecret))
            {
                var (username, credential) = TurnRestCredentials.Create(server.SharedSecret, label.Replace(':', '-'), time.GetUtcNow(),
                    TimeSpan.FromSeconds(server.CredentialTtlSeconds));
                list.Add(new BrowserIceServer(server.Urls.ToList(), username, credential));
            }
            else
            {
                list.Add(new BrowserIceServer(server.Urls.ToList(), server.Username, server.Credential));
            }
        }

        return list;
    }

    /// <summary>The first problem of the <c>Rtc:IceServers</c> entries, naming the key (null when all are valid).</summary>
    public static string? Validate(RtcOptions options)
    {
        for (int i = 0; i < options.IceServers.Count; i++)
        {
            if (options.IceServers[i].Validate($"Rtc:IceServers:{i}") is { } problem)
            {
                return problem;
            }
        }

        return null;
    }
}

/// <summary>Stops the app at start when an <c>Rtc:IceServers</c> entry is invalid, naming its key (the shared secret never appears).</summary>
internal sealed class IceServersValidation : Microsoft.Extensions.Options.IValidateOptions<RtcOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, RtcOptions options) =>
        BrowserIceServers.Validate(options) is { } problem
            ? Microsoft.Extensions.Options.ValidateOptionsResult.Fail(problem)
            : Microsoft.Extensions.Options.ValidateOptionsResult.Success;
}
