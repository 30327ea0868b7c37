using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Live.Benchmarks;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.Web.Live.Signalling;
using PersonaLive.Web.Tests.Fakes;
using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.Web.Tests.Signalling;

/// <summary>
/// WHIP (RFC 9725) and WHEP against the real app in memory with the real WebRTC stack on loopback and
/// the echo engine: the happy path (publish, watch, trickle, delete) and every bad input's precise answer,
/// each leaving no session, slot or resource behind.
/// </summary>
public sealed class WhipEndpointTests : IAsyncLifetime
{
    private const string VideoOffer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:96 {0}/90000\r\na=sendonly\r\n";

    private WebApplicationFactory<Program> _app = default!;
    private PreparedPortrait _portrait = default!;
    private HttpClient _http = default!;

    public async ValueTask InitializeAsync()
    {
        _app = RealStackApp.Start(("Live:EchoEngineDelayMs", "0"), ("Limits:MaxSessions", "1"), ("Limits:MaxViewersPerSession", "1"),
            ("Rtc:IceServers:0:Urls:0", "turn:127.0.0.1:3478?transport=udp"), ("Rtc:IceServers:0:SharedSecret", "whip-test-shared-secret-0123"));
        (_portrait, _) = await RealStackApp.AdaPortraitAsync(_app, TestContext.Current.CancellationToken);
        _http = _app.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }

    private LiveSessionManager Sessions => _app.Services.GetRequiredService<LiveSessionManager>();
    private IngestTokens Tokens => _app.Services.GetRequiredService<IngestTokens>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HttpResponseMessage> PostAsync(string path, string body, string? token, string contentType = "application/sdp")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _http.SendAsync(request, Ct);
    }

    private void AssertNothingLeft()
    {
        Assert.Equal(0, Sessions.ActiveCount);
        Assert.Equal(0, Sessions.Admission.Active);
        Assert.Equal(0, _app.Services.GetRequiredService<SignallingResources>().Count);
    }

    [Fact]
    public async Task Publish_then_watch_then_delete()
    {
        var token = Tokens.Create(_portrait);
        string? startedSession = null;
        Tokens.SessionStarted += (_, id) => startedSession = id;
        await using var publisher = new SignallingTestPeer();
        using var post = await PostAsync("/whip", publisher.Peer.CreateOffer("sendonly"), token.Value);
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        Assert.Equal("application/sdp", post.Content.Headers.ContentType?.MediaType);
        var location = post.Headers.Location!.ToString();
        Assert.StartsWith("/whip/", location, StringComparison.Ordinal);
        Assert.NotNull(post.Headers.ETag);
        var link = Assert.Single(post.Headers.GetValues("Link"));
        Assert.Matches("^<turn:127.0.0.1:3478\\?transport=udp>; rel=\"ice-server\"; username=\"\\d+:whip-[^\"]+\"; credential=\"[^\"]+\"; credential-type=\"password\"$", link);
        Assert.Equal("*", post.Headers.GetValues("Access-Control-Allow-Origin").Single());
        publisher.Peer.SetAnswer(await post.Content.ReadAsStringAsync(Ct));
        await publisher.Connected.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        Assert.Equal(Sessions.FindAllIds().Single(), startedSession);

        var camera = SyntheticLiveClient.CameraLoop(new PersonaLive.Web.Live.Portraits.PresetPortraits().Find("ada")!.Png, 320, 240, 10);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var send = Task.Run(async () =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                publisher.Peer.SendFrame(camera[i % camera.Count], NtpTime.Now());
                await Task.Delay(33, CancellationToken.None);
            }
        }, CancellationToken.None);

        var share = Sessions.Share(startedSession!);
        await using var viewer = new SignallingTestPeer();
        using var watch = await PostAsync(WhepEndpoints.EndpointFor(share.Token), viewer.Peer.CreateOffer("recvonly"), null);
        Assert.Equal(HttpStatusCode.Created, watch.StatusCode);
        viewer.Peer.SetAnswer(await watch.Content.ReadAsStringAsync(Ct));
        await viewer.Connected.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (viewer.FramesDecoded < 10 && DateTime.UtcNow < deadline) await Task.Delay(100, Ct);
        Assert.True(viewer.FramesDecoded >= 10, $"the WHEP viewer decoded {viewer.FramesDecoded} frames of the WHIP session's output");

        // A second viewer exceeds the link's limit of one: 503 with Retry-After, nothing joined.
        await using (var second = new SignallingTestPeer())
        {
            using var full = await PostAsync(WhepEndpoints.EndpointFor(share.Token), second.Peer.CreateOffer("recvonly"), null);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, full.StatusCode);
            Assert.NotNull(full.Headers.RetryAfter);
        }

        // Trickled candidates are accepted (ICE-lite needs none); an ICE restart is refused with 422.
        using (var trickle = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new StringContent("a=candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host\r\n") })
        {
            trickle.Content.Headers.ContentType = new MediaTypeHeaderValue("application/trickle-ice-sdpfrag");
            trickle.Headers.TryAddWithoutValidation("If-Match", post.Headers.ETag!.Tag);
            using var answer = await _http.SendAsync(trickle, Ct);
            Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        }
        using (var restart = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new StringContent("a=ice-ufrag:new1\r\na=ice-pwd:0123456789012345678901\r\n") })
        {
            restart.Content.Headers.ContentType = new MediaTypeHeaderValue("application/trickle-ice-sdpfrag");
            restart.Headers.TryAddWithoutValidation("If-Match", "*");
            using var answer = await _http.SendAsync(restart, Ct);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
        }

        using (var delete = await _http.DeleteAsync(watch.Headers.Location, Ct)) Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.Equal(0, share.ViewerCount);
        using (var delete = await _http.DeleteAsync(location, Ct)) Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        await stop.CancelAsync();
        await send;
        AssertNothingLeft();
        using var again = await _http.DeleteAsync(location, Ct);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Options_answers_cors_preflight()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/whip");
        using var response = await _http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", response.Headers.GetValues("Access-Control-Allow-Methods").Single(), StringComparison.Ordinal);
        Assert.Contains("Location", response.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_unknown_or_revoked_token_is_401()
    {
        var revoked = Tokens.Create(_portrait);
        Tokens.Revoke(revoked);
        foreach (var (token, says) in new[] { ((string?)null, "bearer token is needed"), (ShareLinkRegistry.NewToken(), "not known"), (revoked.Value, "revoked") })
        {
            using var response = await PostAsync("/whip", string.Format(null, VideoOffer, "VP8"), token);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Contains(says, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }
        AssertNothingLeft();
    }

    [Fact]
    public async Task Wrong_content_type_is_415()
    {
        using var response = await PostAsync("/whip", "{}", Tokens.Create(_portrait).Value, "application/json");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("application/sdp", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        AssertNothingLeft();
    }

    [Theory]
    [InlineData("hello", "Line 1 must be \"v=0\"")]
    [InlineData("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\nthis is not sdp\r\n", "Line 3 is not an SDP line")]
    [InlineData("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", "no media section")]
    [InlineData("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n", "no a=fingerprint")]
    public async Task Malformed_sdp_is_400_with_the_reason(string offer, string reason)
    {
        using var response = await PostAsync("/whip", offer, Tokens.Create(_portrait).Value);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(Ct), StringComparison.OrdinalIgnoreCase);
        AssertNothingLeft();
    }

    [Fact]
    public async Task No_common_codec_is_422_naming_both_sides()
    {
        // H.264 High profile only (what an encoder left at its default may offer): we take Baseline profiles.
        var highOnly = string.Format(null, VideoOffer, "H264") + "a=fmtp:96 packetization-mode=1;profile-level-id=640c1f\r\n";
        using var response = await PostAsync("/whip", highOnly, Tokens.Create(_portrait).Value);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("the offer has H264", text, StringComparison.Ordinal);
        Assert.Contains("supports VP8, H264 (H264: Constrained Baseline or Baseline", text, StringComparison.Ordinal);
        AssertNothingLeft();
    }

    [Fact]
    public async Task At_capacity_is_503_with_retry_after()
    {
        using (var held = Sessions.Admission.TryEnter())
        {
            await using var publisher = new SignallingTestPeer();
            using var response = await PostAsync("/whip", publisher.Peer.CreateOffer("sendonly"), Tokens.Create(_portrait).Value);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(10), response.Headers.RetryAfter?.Delta);
            Assert.Equal(0, Sessions.ActiveCount);
        }
        AssertNothingLeft();
    }

    [Fact]
    public async Task Whep_unknown_or_revoked_link_is_404_with_why()
    {
        await using var viewer = new SignallingTestPeer();
        var offer = viewer.Peer.CreateOffer("recvonly");
        using (var unknown = await PostAsync(WhepEndpoints.EndpointFor(ShareLinkRegistry.NewToken()), offer, null))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Contains("not valid", await unknown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        await using var publisher = new SignallingTestPeer();
        using var post = await PostAsync("/whip", publisher.Peer.CreateOffer("sendonly"), Tokens.Create(_portrait).Value);
        var share = Sessions.Share(Sessions.FindAllIds().Single());
        await Sessions.RevokeAsync(share);
        using (var revoked = await PostAsync(WhepEndpoints.EndpointFor(share.Token), offer, null))
        {
            Assert.Equal(HttpStatusCode.NotFound, revoked.StatusCode);
            Assert.Equal(ShareLink.RevokedByHost, (await revoked.Content.ReadAsStringAsync(Ct)).Trim());
        }
        using (var status = await _http.GetAsync(WhepEndpoints.EndpointFor(share.Token), Ct)) Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        using (var delete = await _http.DeleteAsync(post.Headers.Location, Ct)) Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        AssertNothingLeft();
    }
}
