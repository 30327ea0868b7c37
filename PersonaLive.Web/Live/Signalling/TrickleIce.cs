namespace PersonaLive.Web.Live.Signalling;

/// <summary>
/// PATCH on a WHIP or WHEP session resource (RFC 9725 section 4.3, RFC 8840 <c>application/trickle-ice-sdpfrag</c>).
/// We are ICE-lite and put every candidate in the answer: a lite agent never sends checks, it learns the
/// client's address from the client's own checks, so trickled client candidates are accepted (204) and
/// need nothing more. An ICE restart (a fragment with a new ice-ufrag) is not supported: section 4.3.1 says a
/// session that supports one of the two but not the other answers 422 for the unsupported one, so
/// the client starts a new session instead. A stale <c>If-Match</c> gets 412 (section 4.3.1 ETags).
/// </summary>
internal static class TrickleIce
{
    /// <summary>Answers one PATCH for <paramref name="resource"/>.</summary>
    public static async Task PatchAsync(HttpContext context, SignallingResource resource)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(resource);
        var ifMatch = context.Request.Headers.IfMatch.ToString();
        var fragment = await SignallingHttp.ReadSdpAsync(context, SignallingHttp.TrickleType).ConfigureAwait(false);
        if (fragment is null) return;
        var ufrag = fragment.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("a=ice-ufrag:", StringComparison.Ordinal))?["a=ice-ufrag:".Length..];
        bool restart = ufrag is not null && resource.RemoteUfrag is not null && ufrag != resource.RemoteUfrag;
        if (restart || ifMatch == "*" && ufrag is not null && resource.RemoteUfrag is null)
        {
            await SignallingHttp.TextAsync(context, StatusCodes.Status422UnprocessableEntity,
                "ICE restarts are not supported by this server: end this session (DELETE) and publish or play again with a new POST.").ConfigureAwait(false);
            return;
        }

        if (ifMatch.Length > 0 && ifMatch != "*" && ifMatch != resource.ETag)
        {
            context.Response.Headers.ETag = resource.ETag;
            await SignallingHttp.TextAsync(context, StatusCodes.Status412PreconditionFailed,
                $"If-Match {ifMatch} does not match this session's ETag {resource.ETag}.").ConfigureAwait(false);
            return;
        }

        context.Response.Headers.ETag = resource.ETag;
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
