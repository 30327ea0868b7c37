using Microsoft.Extensions.Options;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Media.Rtc;
using PersonaLive.Web.Live.Pipeline;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.WebRtc.PeerConnection;

namespace PersonaLive.Web.Live.Signalling;

/// <summary>
/// WHIP ingest (RFC 9725) at <c>/whip</c>: a publisher (OBS, FFmpeg, a browser library, aiortc) POSTs its SDP
/// offer with the Studio's bearer token and gets 201 with our answer, the session resource in
/// <c>Location</c>, an ETag and the STUN/TURN servers in <c>Link</c> headers; its video then drives the
/// token's portrait like a Studio camera (same admission control, idle timeout and share links).
/// DELETE on the resource ends the session; PATCH is <see cref="TrickleIce"/>. Thin: the session manager does the work.
/// </summary>
internal static class WhipEndpoints
{
    public const string Path = "/whip";
    private const string EndpointMethods = "POST, OPTIONS";
    private const string ResourceMethods = "PATCH, DELETE, OPTIONS";

    public static void MapWhip(this IEndpointRouteBuilder app)
    {
        app.MapMethods(Path, ["OPTIONS"], (HttpContext c) => OptionsAsync(c, EndpointMethods));
        app.MapPost(Path, PostAsync);
        app.MapMethods(Path + "/{id}", ["OPTIONS"], (HttpContext c) => OptionsAsync(c, ResourceMethods));
        app.MapDelete(Path + "/{id}", DeleteAsync);
        app.MapMethods(Path + "/{id}", ["PATCH"], PatchAsync);
    }

    private static Task OptionsAsync(HttpContext context, string methods)
    {
        SignallingHttp.Cors(context.Response, methods);
        context.Response.Headers.Allow = methods;
        if (methods == EndpointMethods) context.Response.Headers["Accept-Post"] = SignallingHttp.SdpType;
        else context.Response.Headers["Accept-Patch"] = SignallingHttp.TrickleType;
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private static async Task PostAsync(HttpContext context)
    {
        SignallingHttp.Cors(context.Response, EndpointMethods);
        var services = context.RequestServices;
        var tokens = services.GetRequiredService<IngestTokens>();
        var bearer = SignallingHttp.BearerToken(context.Request);
        var token = tokens.Find(bearer);
        if (token is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"whip\"";
            await SignallingHttp.TextAsync(context, StatusCodes.Status401Unauthorized,
                bearer is null ? "A bearer token is needed: copy it from the Studio's \"Drive from OBS / another app\" panel."
                : tokens.WasRevoked(bearer) ? "This token was revoked: make a new one in the Studio."
                : "This token is not known here: copy it from the Studio's \"Drive from OBS / another app\" panel.").ConfigureAwait(false);
            return;
        }

        var offer = await SignallingHttp.ReadSdpAsync(context).ConfigureAwait(false);
        if (offer is null) return;
        var report = OfferCheck.Inspect(offer, context.RequestServices.GetRequiredService<IOptions<RtcOptions>>().Value.PreferredCodecs.ToList());
        if (report.Problem is { } problem) { await SignallingHttp.TextAsync(context, StatusCodes.Status400BadRequest, problem).ConfigureAwait(false); return; }
        if (!report.HasCommonCodec) { await SignallingHttp.TextAsync(context, StatusCodes.Status422UnprocessableEntity, report.NoCommonCodecMessage).ConfigureAwait(false); return; }

        var sessions = services.GetRequiredService<LiveSessionManager>();
        if (!sessions.Peers.IsAvailable) { await SignallingHttp.UnavailableAsync(context, 60, sessions.Peers.UnavailableReason!).ConfigureAwait(false); return; }
        var engine = services.GetRequiredService<IAnimationEngineFactory>().Status;
        if (engine.State != EngineState.Ready) { await SignallingHttp.UnavailableAsync(context, 5, $"The engine is not ready: {engine.Message}").ConfigureAwait(false); return; }
        var ticket = sessions.Admission.TryEnter();
        if (ticket is null)
        {
            await SignallingHttp.UnavailableAsync(context, 10,
                $"The server is full ({sessions.Admission.MaxSessions} live sessions). Try again later.").ConfigureAwait(false);
            return;
        }

        LiveSession session;
        string answer;
        try
        {
            (session, answer) = sessions.Start(ticket, token.Portrait, offer); // frees the ticket itself on failure
        }
        catch (MediaNegotiationException ex)
        {
            await SignallingHttp.TextAsync(context, StatusCodes.Status400BadRequest, ex.Message).ConfigureAwait(false);
            return;
        }

        var resource = services.GetRequiredService<SignallingResources>().Add(ResourceKind.Whip, session.Id, null, report.IceUfrag, token.Value, null);
        tokens.OnSessionStarted(token, session.Id);
        await CreatedAsync(context, $"{Path}/{resource.Id}", resource, answer, "whip-" + session.Id).ConfigureAwait(false);
    }

    /// <summary>201 Created with the answer, Location, ETag and this session's ICE servers (TURN credentials derived for it).</summary>
    internal static Task CreatedAsync(HttpContext context, string location, SignallingResource resource, string answer, string label)
    {
        var rtc = context.RequestServices.GetRequiredService<IOptions<RtcOptions>>().Value;
        SignallingHttp.IceServerLinks(context.Response, BrowserIceServers.For(rtc, label, context.RequestServices.GetRequiredService<TimeProvider>()));
        context.Response.Headers.Location = location;
        context.Response.Headers.ETag = resource.ETag;
        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.ContentType = SignallingHttp.SdpType;
        return context.Response.WriteAsync(answer, context.RequestAborted);
    }

    private static async Task DeleteAsync(HttpContext context, string id)
    {
        SignallingHttp.Cors(context.Response, ResourceMethods);
        if (await FindAsync(context, id).ConfigureAwait(false) is not { } resource) return;
        context.RequestServices.GetRequiredService<SignallingResources>().Remove(resource.Id);
        await context.RequestServices.GetRequiredService<LiveSessionManager>()
            .EndAsync(resource.SessionId, new SessionEnd(SessionEndReason.Stopped, "The publisher ended the session.")).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
    }

    private static async Task PatchAsync(HttpContext context, string id)
    {
        SignallingHttp.Cors(context.Response, ResourceMethods);
        if (await FindAsync(context, id).ConfigureAwait(false) is { } resource) await TrickleIce.PatchAsync(context, resource).ConfigureAwait(false);
    }

    /// <summary>The resource, or null after answering 404 (unknown or ended) or 401 (a token other than the one that made it).</summary>
    private static async Task<SignallingResource?> FindAsync(HttpContext context, string id)
    {
        var resource = context.RequestServices.GetRequiredService<SignallingResources>().Find(id, ResourceKind.Whip);
        if (resource is null)
        {
            await SignallingHttp.TextAsync(context, StatusCodes.Status404NotFound, "No such WHIP session (it ended or never existed).").ConfigureAwait(false);
            return null;
        }

        if (SignallingHttp.BearerToken(context.Request) is { } bearer && bearer != resource.BearerToken)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"whip\"";
            await SignallingHttp.TextAsync(context, StatusCodes.Status401Unauthorized, "This token did not start this session.").ConfigureAwait(false);
            return null;
        }

        return resource;
    }
}
