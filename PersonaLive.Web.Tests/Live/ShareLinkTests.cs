using PersonaLive.Web.Live.Sessions;
using PersonaLive.Web.Tests.Fakes;

namespace PersonaLive.Web.Tests.Live;

/// <summary>Share links: 128-bit unguessable tokens, viewer limits, revocation remembered, malformed tokens ignored.</summary>
public sealed class ShareLinkTests
{
    [Fact]
    public void Tokens_carry_128_random_bits_in_base64url()
    {
        var tokens = Enumerable.Range(0, 1000).Select(_ => ShareLinkRegistry.NewToken()).ToList();
        Assert.All(tokens, t => Assert.True(ShareLinkRegistry.IsWellFormed(t), t));
        Assert.Equal(1000, tokens.Distinct(StringComparer.Ordinal).Count());
        Assert.All(tokens, t => Assert.Equal(16, System.Buffers.Text.Base64Url.DecodeFromChars(t).Length));
        // Every one of the 128 bits varies across tokens (a constant bit would show a broken generator).
        var bytes = tokens.Select(t => System.Buffers.Text.Base64Url.DecodeFromChars(t)).ToList();
        for (var bit = 0; bit < 128; bit++)
        {
            var ones = bytes.Count(b => (b[bit / 8] >> (bit % 8) & 1) == 1);
            Assert.InRange(ones, 350, 650);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaa/")]
    [InlineData("../../../etc/passwd....")]
    public void Malformed_tokens_find_nothing(string? token)
    {
        var links = new ShareLinkRegistry(TimeProvider.System);
        links.Create("s1", 2);
        Assert.Null(links.Find(token));
    }

    [Fact]
    public void Viewer_limit_and_revocation()
    {
        var clock = new ManualTimeProvider();
        var links = new ShareLinkRegistry(clock);
        var link = links.Create("s1", 2);
        var closed = 0;
        link.Closed += _ => closed++;
        Assert.Same(link, links.Find(link.Token));
        Assert.True(link.TryAddViewer());
        Assert.True(link.TryAddViewer());
        Assert.False(link.TryAddViewer());
        link.RemoveViewer();
        Assert.Equal(1, link.ViewerCount);

        links.Revoke(link);
        links.Revoke(link);
        Assert.Equal(1, closed);
        Assert.False(link.IsOpen);
        Assert.False(link.TryAddViewer());
        Assert.Equal(ShareLink.RevokedByHost, links.Find(link.Token)!.ClosedReason);

        clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(0, links.Sweep());
        clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(1, links.Sweep());
        Assert.Null(links.Find(link.Token));
    }

    [Fact]
    public void Ending_a_session_closes_its_links_only()
    {
        var links = new ShareLinkRegistry(TimeProvider.System);
        var mine = links.Create("s1", 2);
        var other = links.Create("s2", 2);
        links.CloseAllFor("s1");
        Assert.Equal(ShareLink.SessionEnded, mine.ClosedReason);
        Assert.True(other.IsOpen);
    }
}
