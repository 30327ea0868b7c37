using Bunit;
using PersonaLive.Web.Components.Live;
using PersonaLive.Web.Tests.Fakes;

namespace PersonaLive.Web.Tests.Components;

/// <summary>bUnit: the Studio's Go live panel: the URL is checked, and the bearer token typed in is never rendered back to the page.</summary>
public sealed class GoLivePanelTests : BunitContext
{
    private const string Token = "typed-secret-token-9c2e";
    private readonly LiveTestServices _live = new();

    public GoLivePanelTests() => _live.Register(this);

    [Fact]
    public void A_bad_url_is_refused_and_the_token_is_cleared_from_the_page_after_entry()
    {
        var panel = Render<GoLivePanel>(p => p.Add(x => x.SessionId, "no-such-session"));
        Assert.Contains("Not live.", panel.Find(".golive-status").TextContent, StringComparison.Ordinal);
        panel.Find("#golive-url").Change("ftp://example.test/whip");
        panel.Find("#golive-token").Change(Token);
        panel.Find("button.golive-start").Click();
        Assert.Contains("must be an http:// or https:// address", panel.Find(".golive-status").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, panel.Markup, StringComparison.Ordinal);

        panel.Find("#golive-url").Change("https://example.test/whip");
        panel.Find("#golive-token").Change(Token);
        panel.Find("button.golive-start").Click();
        Assert.Contains("The session is not live.", panel.Find(".golive-status").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, panel.Markup, StringComparison.Ordinal);
        Assert.Equal("https://example.test/whip", panel.Find("#golive-url").GetAttribute("value")); // the URL stays for another try
    }
}
