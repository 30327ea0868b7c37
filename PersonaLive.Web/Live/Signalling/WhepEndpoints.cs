using Microsoft.Extensions.Options;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.Web.Live.Sessions;

namespace PersonaLive.Web.Live.Signalling;

/// <summary>
/// WHEP egress (IETF draft-ietf-wish-whep) for share links at <c>/whep/{share token}</c>: any WHEP player
/// POSTs a recvonly offer and gets 201 with our answer (the session's animated output), the viewer
/// resource in <c>Location</c>, an ETag and the ICE servers in <c>Link</c> headers; DELETE leaves. The
/// share token is the permission, as for the Watch page (which plays through this endpoint too):
/// revoking the link or ending the session drops the viewer, and the link's viewer limit applies
/// (503 with Retry-After when full). GET answers whether the link is live (204) or why not (404), for pages.
/// </summary>
internal static class WhepEndpoints
{
    public const string Path = "/whep";
    private const string EndpointMethods = "POST, GET, OPTIONS";
    private const string ResourceMethods = "PATCH, DELETE, OPTIONS";

    public static void MapWhep(this IEndpointRouteBuilder app)
    {
        app.MapMethods(Path + "/{token}", ["OPTIONS"], (HttpContext c) => OptionsAsync(c, EndpointMethods));
        app.MapPost(Path + "/{token}", PostAsync);
        app.MapGet(Path + "/{token}", StatusAsync);
        app.MapMethods(Path + "/{token}/{id}", ["OPTIONS"], (HttpContext c) => OptionsAsync(c, ResourceMethods));
        app.MapDelete(Path + "/{token}/{id}", DeleteAsync);
        app.MapMethods(Path + "/{token}/{id}", ["PATCH"], PatchAsync);
    }

    /// <summary>The WHEP endpoint URL path of a share link.</summary>
    public static string EndpointFor(string shareToken) => $"{Path}/{shareToken}";

    private static Task OptionsAsync(HttpContext context, string methods)
    {
        SignallingHttp.Cors(context.Response, methods);
        context.Response.Headers.Allow = methods;
        if (methods == EndpointMethods) context.Response.Headers["Accept-Post"] = SignallingHttp.SdpType;
        else context.Response.Headers["Accept-Patch"] = SignallingHttp.TrickleType;
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private static async Task StatusAsync(HttpContext context, string token)
    {
        SignallingHttp.Cors(context.Response, EndpointMethods);
        if (await OpenLinkAsync(context, token).ConfigureAwait(false) is null) return;
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task PostAsync(HttpContext context, string token)
    {
        SignallingHttp.Cors(context.Response, EndpointMethods);
        if (await OpenLinkAsync(context, token).ConfigureAwait(false) is null) return;
        var offer = await SignallingHttp.ReadSdpAsync(context).ConfigureAwait(false);
        if (offer is null) return;
        var report = OfferCheck.Inspect(offer, context.RequestServices.GetRequiredService<IOptions<RtcOptions>>().Value.PreferredCodecs.ToList());
        if (report.Problem is { } problem) { await SignallingHttp.TextAsync(context, StatusCodes.Status400BadRequest, problem).ConfigureAwait(false); return; }
        if (!report.HasCommonCodec) { await SignallingHttp.TextAsync(context, StatusCodes.Status422UnprocessableEntity, report.NoCommonCodecMessage).ConfigureAwait(false); return; }
        var sessions = context.RequestServices.GetRequiredService<LiveSessionManager>();
        if (!sessions.Peers.IsAvailable) { await SignallingHttp.UnavailableAsync(context, 60, sessions.Peers.UnavailableReason!).ConfigureAwait(false); return; }

        var join = sessions.JoinAsViewer(token, offer);
        switch (join.Status)
        {
            case ViewerJoinStatus.Joined:
                var resource = context.RequestServices.GetRequiredService<SignallingResources>()
                    .Add(ResourceKind.Whep, join.Link!.SessionId, join.ViewerId, report.IceUfrag, null, join.Link);
                await WhipEndpoints.CreatedAsync(context, $"{Path}/{token}/{resource.Id}", resource, join.AnswerSdp!, "whep-" + join.ViewerId).ConfigureAwait(false);
                break;
            case ViewerJoinStatus.Full:
                await SignallingHttp.UnavailableAsync(context, 30, join.Error!).ConfigureAwait(false);
                break;
            case ViewerJoinStatus.Unknown or ViewerJoinStatus.Closed:
                await SignallingHttp.TextAsync(context, StatusCodes.Status404NotFound, join.Error!).ConfigureAwait(false);
                break;
            default:
                await SignallingHttp.TextAsync(context, StatusCodes.Status400BadRequest, join.Error!).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>The open share link, or null after answering 404 with why (unknown, revoked, ended).</summary>
    private static async Task<ShareLink?> OpenLinkAsync(HttpContext context, string token)
    {
        var link = context.RequestServices.GetRequiredService<ShareLinkRegistry>().Find(token);
        var reason = link is null ? "This share link is not valid." : link.IsOpen ? null : link.ClosedReason;
        if (reason is null) return link;
        await SignallingHttp.TextAsync(context, StatusCodes.Status404NotFound, reason).ConfigureAwait(false);
        return null;
    }

    private static async Task DeleteAsync(HttpContext context, string token, string id)
    {
        SignallingHttp.Cors(context.Response, ResourceMethods);
        if (await FindAsync(context, token, id).ConfigureAwait(false) is not { } resource) return;
        context.RequestServices.GetRequiredService<SignallingResources>().Remove(resource.Id);
        await context.RequestServices.GetRequiredService<LiveSessionManager>().LeaveAsync(resource.ViewerId!).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private static async Task PatchAsync(HttpContext context, string token, string id)
    {
        SignallingHttp.Cors(context.Response, ResourceMethods);
        if (await FindAsync(context, token, id).ConfigureAwait(false) is { } resource) await TrickleIce.PatchAsync(context, resource).ConfigureAwait(false);
    }

    private static async Task<SignallingResource?> FindAsync(HttpContext context, string token, string id)
    {
        var resource = context.RequestServices.GetRequiredService<SignallingResources>().Find(id, ResourceKind.Whep);
        if (resource is not null && resource.Link?.Token == token) return resource;
        await SignallingHttp.TextAsync(context, StatusCodes.Status404NotFound, "No such WHEP viewer (it left, the link closed, or it never existed).").ConfigureAwait(false);
        return null;
    }
}
