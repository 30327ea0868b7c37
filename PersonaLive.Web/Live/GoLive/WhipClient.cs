using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace PersonaLive.Web.Live.GoLive;

/// <summary>A WHIP server's answer: the SDP, the session resource to DELETE, and the ICE servers it announced.</summary>
internal sealed record WhipAnswer(string Sdp, Uri Resource, IReadOnlyList<IceServerLink> IceServers);

/// <summary>
/// A WHIP server said no. <see cref="Permanent"/> for refusals that retrying cannot fix (4xx but 408/425/429:
/// wrong token, unknown stream, no common codec); <see cref="RetryAfter"/> when it said when to come back.
/// The message carries the server's own reason (its body, shortened), never our token.
/// </summary>
internal sealed class WhipRefusedException(int status, string message, bool permanent, TimeSpan? retryAfter) : Exception(message)
{
    public int Status { get; } = status;
    public bool Permanent { get; } = permanent;
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>
/// The HTTP side of publishing as a WHIP client (RFC 9725 sections 4.2, 4.3): POST the offer as
/// <c>application/sdp</c> with <c>Authorization: Bearer</c>, take the 201's answer, <c>Location</c> (resolved
/// against the endpoint, section 4.2) and <c>Link</c> ice-server headers (section 4.6); DELETE the resource to
/// stop. The token only ever goes into the Authorization header.
/// </summary>
internal sealed class WhipClient(HttpClient http)
{
    public const string SdpType = "application/sdp";
    private const int MaxReasonLength = 300;

    public async Task<WhipAnswer> PublishAsync(Uri endpoint, string? token, string offerSdp, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(offerSdp, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(SdpType);
        Authorize(request, token);
        using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
        string body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        int status = (int)response.StatusCode;
        if (response.StatusCode != HttpStatusCode.Created)
        {
            bool permanent = status is >= 400 and < 500 and not (408 or 425 or 429);
            var retryAfter = response.Headers.RetryAfter is { } ra ? ra.Delta ?? (ra.Date - DateTimeOffset.UtcNow) : null;
            throw new WhipRefusedException(status, $"the server answered {status} {response.ReasonPhrase}{Reason(body)}", permanent, retryAfter);
        }

        if (response.Headers.Location is not { } location)
        {
            throw new WhipRefusedException(status, "the server's 201 has no Location header (RFC 9725 section 4.2 requires one)", permanent: true, null);
        }

        if (response.Content.Headers.ContentType?.MediaType != SdpType || !body.StartsWith("v=0", StringComparison.Ordinal))
        {
            throw new WhipRefusedException(status, "the server's 201 carries no SDP answer", permanent: true, null);
        }

        var links = response.Headers.TryGetValues("Link", out var values) ? IceServerLinks.Parse(values) : [];
        return new WhipAnswer(body, new Uri(endpoint, location), links);
    }

    /// <summary>Ends the session resource; the status, or null when the server could not be reached.</summary>
    public async Task<int?> DeleteAsync(Uri resource, string? token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, resource);
        Authorize(request, token);
        try
        {
            using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
            return (int)response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    private static void Authorize(HttpRequestMessage request, string? token)
    {
        if (!string.IsNullOrEmpty(token)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    private static string Reason(string body)
    {
        body = body.Trim();
        if (body.Length == 0) return "";
        if (body.Length > MaxReasonLength) body = body[..MaxReasonLength] + "...";
        return ": " + body;
    }
}
