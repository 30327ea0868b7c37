using System.Net;
using System.Net.Http.Headers;
using PersonaLive.Web.Live.GoLive;

namespace PersonaLive.Web.Tests.Signalling;

/// <summary>
/// The WHIP client side of Go live without a network: the HTTP exchange (RFC 9725 sections 4.2, 4.6: bearer
/// token, 201, relative Location, Link ice-servers), how refusals are classified (permanent or retried, with
/// Retry-After), the reconnect schedule, and the status line the panel shows.
/// </summary>
public sealed class GoLiveClientTests
{
    private const string Answer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
    private static readonly Uri Endpoint = new("https://ingest.example.test/live/abc/whip");

    private sealed class Handler(Func<HttpRequestMessage, HttpResponseMessage> respond) : HttpMessageHandler
    {
        public List<(HttpMethod Method, Uri? Uri, string? Auth, string? Type)> Seen { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen.Add((request.Method, request.RequestUri, request.Headers.Authorization?.ToString(), request.Content?.Headers.ContentType?.MediaType));
            return Task.FromResult(respond(request));
        }
    }

    private static HttpResponseMessage Created()
    {
        var r = new HttpResponseMessage(HttpStatusCode.Created) { Content = new StringContent(Answer) };
        r.Content.Headers.ContentType = new MediaTypeHeaderValue("application/sdp");
        r.Headers.Location = new Uri("../resource/42", UriKind.Relative);
        r.Headers.TryAddWithoutValidation("Link", "<stun:stun.example.test:3478>; rel=\"ice-server\", <https://example.test/doc>; rel=\"help\"");
        r.Headers.TryAddWithoutValidation("Link", "<turn:turn.example.test:3478?transport=udp>; rel=\"ice-server\"; username=\"u1\"; credential=\"p,1\"; credential-type=\"password\"");
        return r;
    }

    [Fact]
    public async Task Publish_posts_sdp_with_the_bearer_token_and_reads_answer_location_and_ice_servers()
    {
        var handler = new Handler(_ => Created());
        using var http = new HttpClient(handler);
        var answer = await new WhipClient(http).PublishAsync(Endpoint, "tok-123", "v=0\r\n", TestContext.Current.CancellationToken);
        Assert.Equal(Answer, answer.Sdp);
        Assert.Equal(new Uri("https://ingest.example.test/live/resource/42"), answer.Resource); // relative to the endpoint
        Assert.Equal(["stun:stun.example.test:3478", "turn:turn.example.test:3478?transport=udp"], answer.IceServers.Select(s => s.Url));
        Assert.Equal(("u1", "p,1"), (answer.IceServers[1].Username, answer.IceServers[1].Credential));
        Assert.Equal((HttpMethod.Post, Endpoint, "Bearer tok-123", "application/sdp"), Assert.Single(handler.Seen));

        Assert.Equal(200, await new WhipClient(new HttpClient(new Handler(_ => new HttpResponseMessage(HttpStatusCode.OK)))).DeleteAsync(answer.Resource, "tok-123", TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(401, true)]
    [InlineData(404, true)]
    [InlineData(422, true)]
    [InlineData(429, false)]
    [InlineData(500, false)]
    [InlineData(503, false)]
    public async Task Refusals_carry_the_servers_reason_and_say_whether_retrying_can_help(int status, bool permanent)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent("stream key not recognised") };
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
        using var http = new HttpClient(new Handler(_ => response));
        var ex = await Assert.ThrowsAsync<WhipRefusedException>(() => new WhipClient(http).PublishAsync(Endpoint, "tok", "v=0\r\n", TestContext.Current.CancellationToken));
        Assert.Equal(permanent, ex.Permanent);
        Assert.Contains($"answered {status}", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith(": stream key not recognised", ex.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(7), ex.RetryAfter);
        Assert.DoesNotContain("tok", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_201_without_location_or_sdp_is_a_permanent_failure()
    {
        var noLocation = Created();
        noLocation.Headers.Location = null;
        using var http = new HttpClient(new Handler(_ => noLocation));
        var ex = await Assert.ThrowsAsync<WhipRefusedException>(() => new WhipClient(http).PublishAsync(Endpoint, null, "v=0\r\n", TestContext.Current.CancellationToken));
        Assert.True(ex.Permanent);
        Assert.Contains("Location", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Backoff_doubles_from_one_second_to_thirty_and_honours_a_longer_retry_after()
    {
        Assert.Equal([1, 2, 4, 8, 16, 30, 30], Enumerable.Range(1, 7).Select(n => ReconnectBackoff.Delay(n).TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(20), ReconnectBackoff.Delay(1, TimeSpan.FromSeconds(20)));
        Assert.Equal(TimeSpan.FromSeconds(4), ReconnectBackoff.Delay(3, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void Status_lines_say_what_the_panel_shows()
    {
        var now = DateTimeOffset.UnixEpoch;
        Assert.Equal("Connecting to ingest.example.test...", new GoLiveStatus(GoLiveState.Connecting, "ingest.example.test", null, null, 0).Describe(now));
        Assert.Equal("Reconnecting in 4 s (attempt 3): the server answered 503",
            new GoLiveStatus(GoLiveState.Reconnecting, "h", "the server answered 503", now.AddSeconds(3.2), 2).Describe(now));
        Assert.Equal("Failed: the server answered 401 Unauthorized: bad key", new GoLiveStatus(GoLiveState.Failed, "h", "the server answered 401 Unauthorized: bad key", null, 0).Describe(now));
        Assert.NotNull(GoLiveService.Validate("ftp://x/whip", out _));
        Assert.Null(GoLiveService.Validate(" https://x.test/whip ", out var uri));
        Assert.Equal("x.test", uri!.Host);
    }
}
