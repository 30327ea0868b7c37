using System.Globalization;
using System.Text;
using Microsoft.Net.Http.Headers;
using PersonaLive.Web.Live.Media.Rtc;

namespace PersonaLive.Web.Live.Signalling;

/// <summary>
/// HTTP details shared by the WHIP (RFC 9725) and WHEP endpoints: CORS for browser clients (section 4.1:
/// the endpoints answer OPTIONS and expose Location, Link and ETag), reading the <c>application/sdp</c>
/// body (415 for another type, 413 for an oversized one), plain-text error answers with the reason,
/// STUN/TURN servers as <c>Link: rel="ice-server"</c> headers (section 4.6), and the bearer token.
/// </summary>
internal static class SignallingHttp
{
    public const string SdpType = "application/sdp";
    public const string TrickleType = "application/trickle-ice-sdpfrag";

    /// <summary>CORS headers every answer of these endpoints carries (bearer tokens, not cookies: any origin may call).</summary>
    public static void Cors(HttpResponse response, string methods)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.AccessControlAllowOrigin = "*";
        response.Headers.AccessControlAllowMethods = methods;
        response.Headers.AccessControlAllowHeaders = "Authorization, Content-Type, If-Match";
        response.Headers.AccessControlExposeHeaders = "Location, Link, ETag, Accept-Patch, Retry-After, WWW-Authenticate";
        response.Headers.AccessControlMaxAge = "600";
    }

    /// <summary>An answer with a one-sentence reason as plain text.</summary>
    public static Task TextAsync(HttpContext context, int status, string reason)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(reason + "\n", context.RequestAborted);
    }

    /// <summary>503 with Retry-After (seconds): the server is full now, not broken.</summary>
    public static Task UnavailableAsync(HttpContext context, int retryAfterSeconds, string reason)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return TextAsync(context, StatusCodes.Status503ServiceUnavailable, reason);
    }

    /// <summary>
    /// Reads the SDP body of a POST. Returns null after answering 415 (not <c>application/sdp</c>),
    /// 413 (larger than <see cref="OfferCheck.MaxOfferBytes"/>) or 400 (not UTF-8).
    /// </summary>
    public static async Task<string?> ReadSdpAsync(HttpContext context, string expectedType = SdpType)
    {
        ArgumentNullException.ThrowIfNull(context);
        var type = context.Request.ContentType;
        if (type is null || !MediaTypeHeaderValue.TryParse(type, out var parsed) || !parsed.MediaType.Equals(expectedType, StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Headers.Accept = expectedType;
            await TextAsync(context, StatusCodes.Status415UnsupportedMediaType,
                $"The body must be {expectedType}; this request has {(string.IsNullOrEmpty(type) ? "no Content-Type" : type)}.").ConfigureAwait(false);
            return null;
        }

        if (context.Request.ContentLength > OfferCheck.MaxOfferBytes)
        {
            await TextAsync(context, StatusCodes.Status413PayloadTooLarge, $"The body is larger than {OfferCheck.MaxOfferBytes} bytes.").ConfigureAwait(false);
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int n;
        while ((n = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, n);
            if (buffer.Length > OfferCheck.MaxOfferBytes)
            {
                await TextAsync(context, StatusCodes.Status413PayloadTooLarge, $"The body is larger than {OfferCheck.MaxOfferBytes} bytes.").ConfigureAwait(false);
                return null;
            }
        }

        try
        {
            return new UTF8Encoding(false, true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            await TextAsync(context, StatusCodes.Status400BadRequest, "The body is not UTF-8 text.").ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>The token of an <c>Authorization: Bearer</c> header, or null.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var value = request.Headers.Authorization.ToString();
        return value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value["Bearer ".Length..].Trim() : null;
    }

    /// <summary>
    /// One <c>Link</c> header per STUN/TURN URL (RFC 9725 section 4.6, RFC 8288 link syntax), TURN entries with
    /// this session's username and credential (credential-type "password").
    /// </summary>
    public static void IceServerLinks(HttpResponse response, IReadOnlyList<BrowserIceServer> servers)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(servers);
        var links = new List<string>();
        foreach (var server in servers)
        {
            foreach (var url in server.Urls)
            {
                var link = new StringBuilder().Append('<').Append(url).Append(">; rel=\"ice-server\"");
                if (server.Username is not null && server.Credential is not null)
                {
                    link.Append("; username=\"").Append(Quote(server.Username)).Append('"')
                        .Append("; credential=\"").Append(Quote(server.Credential)).Append('"')
                        .Append("; credential-type=\"password\"");
                }
                links.Add(link.ToString());
            }
        }
        if (links.Count > 0) response.Headers.Link = links.ToArray();
    }

    private static string Quote(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
