using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;
using PersonaLive.Web.Components.Live;
using PersonaLive.Web.Live.Signalling;
using PersonaLive.Web.Tests.Fakes;

namespace PersonaLive.Web.Tests.Components;

/// <summary>bUnit: the Studio's "Drive from OBS / another app" panel: token bound to the portrait, a publish shows the output and a watch link, revocation on close.</summary>
public sealed class DriveFromAppPanelTests : BunitContext
{
    private readonly LiveTestServices _live = new();

    public DriveFromAppPanelTests()
    {
        _live.Engine.CreateEngineWith = () => new PersonaLive.Web.Live.Diagnostics.DelayedEchoEngine(TimeSpan.Zero);
        _live.Register(this);
        JSInterop.SetupModule("./js/whep.js");
    }

    private IngestTokens Tokens => Services.GetRequiredService<IngestTokens>();

    [Fact]
    public void Asks_for_a_portrait_first()
    {
        var panel = Render<DriveFromAppPanel>(p => p.Add(x => x.Portrait, null));
        Assert.Contains("Choose a portrait first", panel.Markup, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("button.make-token"));
    }

    [Fact]
    public async Task Token_follows_the_portrait_and_a_publish_shows_the_output_and_its_watch_link()
    {
        var ada = new PreparedPortrait(new RgbaImage(8, 8), 8);
        var bob = new PreparedPortrait(new RgbaImage(8, 8), 8);
        var panel = Render<DriveFromAppPanel>(p => p.Add(x => x.Portrait, ada));
        panel.Find("button.make-token").Click();
        Assert.EndsWith("/whip", panel.Find("#whip-url").GetAttribute("value"), StringComparison.Ordinal);
        var token = Tokens.Find(panel.Find("#whip-token").GetAttribute("value"));
        Assert.NotNull(token);
        Assert.Same(ada, token.Portrait);
        panel.Render(p => p.Add(x => x.Portrait, bob));
        Assert.Same(bob, token.Portrait);

        // A publisher goes live with the token (what POST /whip does): the panel shows the output and a watch link.
        var (session, _) = _live.Sessions.Start(_live.Admission.TryEnter()!, token.Portrait, "offer");
        Tokens.OnSessionStarted(token, session.Id);
        panel.WaitForAssertion(() => Assert.NotNull(panel.Find("video.whip-output")));
        Assert.Matches("/watch/[A-Za-z0-9_-]{22}$", panel.Find(".whip-share").TextContent);
        Assert.Contains("another app is driving", panel.Find(".whip-status").TextContent, StringComparison.Ordinal);

        await _live.Sessions.EndAsync(session.Id, "The publisher ended the session.");
        panel.WaitForAssertion(() => Assert.Contains("The publisher stopped", panel.Find(".whip-status").TextContent, StringComparison.Ordinal));
        Assert.Empty(panel.FindAll("video.whip-output"));

        // A new token revokes the old one; closing the page revokes the current one.
        panel.Find("button.new-token").Click();
        Assert.True(token.IsRevoked);
        var second = Tokens.Find(panel.Find("#whip-token").GetAttribute("value"))!;
        await DisposeComponentsAsync();
        Assert.True(second.IsRevoked);
    }
}
