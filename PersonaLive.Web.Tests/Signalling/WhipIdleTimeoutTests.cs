using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.Web.Live.Signalling;
using PersonaLive.Web.Tests.Fakes;

namespace PersonaLive.Web.Tests.Signalling;

/// <summary>A WHIP publisher that sends no frames is ended by the idle timeout like a Studio session, freeing its slot and resource.</summary>
public sealed class WhipIdleTimeoutTests
{
    [Fact]
    public async Task Silent_publisher_is_ended_by_the_idle_timeout()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var app = RealStackApp.Start(("Live:EchoEngineDelayMs", "0"), ("Limits:IdleTimeoutSeconds", "5"));
        var (portrait, _) = await RealStackApp.AdaPortraitAsync(app, ct);
        var sessions = app.Services.GetRequiredService<LiveSessionManager>();
        using var http = app.CreateClient();
        await using var publisher = new SignallingTestPeer();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/whip") { Content = new StringContent(publisher.Peer.CreateOffer("sendonly")) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", app.Services.GetRequiredService<IngestTokens>().Create(portrait).Value);
        using var response = await http.SendAsync(request, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1, sessions.Admission.Active);

        var deadline = DateTime.UtcNow.AddSeconds(20); // 5 s idle + the reaper's 5 s period, with room for a loaded machine
        while ((sessions.ActiveCount > 0 || sessions.Admission.Active > 0) && DateTime.UtcNow < deadline) await Task.Delay(200, ct); // the slot is freed once the session is disposed
        Assert.Equal(0, sessions.ActiveCount);
        Assert.Equal(0, sessions.Admission.Active);
        Assert.Equal(0, app.Services.GetRequiredService<SignallingResources>().Count);
        using var delete = await http.DeleteAsync(response.Headers.Location, ct);
        Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
    }
}
