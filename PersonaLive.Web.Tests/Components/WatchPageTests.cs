using Bunit;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;
using PersonaLive.Web.Components.Pages;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.Web.Tests.Fakes;

namespace PersonaLive.Web.Tests.Components;

/// <summary>bUnit: the server-rendered watch page for unknown, revoked, ended and live links, with and without chrome (the WHEP script's states are covered by the browser tests).</summary>
public sealed class WatchPageTests : BunitContext
{
    private readonly LiveTestServices _live = new();

    public WatchPageTests()
    {
        _live.Engine.CreateEngineWith = () => new PersonaLive.Web.Live.Diagnostics.DelayedEchoEngine(TimeSpan.Zero);
        _live.Register(this);
    }

    private (string SessionId, ShareLink Link) LiveSessionWithLink()
    {
        var sessions = Services.GetService(typeof(LiveSessionManager)) as LiveSessionManager;
        var (session, _) = sessions!.Start(_live.Admission.TryEnter()!, new PreparedPortrait(new RgbaImage(8, 8), 8), "offer");
        return (session.Id, sessions.Share(session.Id));
    }

    [Fact]
    public void Unknown_link_says_it_is_not_valid()
    {
        var page = Render<Watch>(p => p.Add(w => w.Token, ShareLinkRegistry.NewToken()));
        Assert.Equal("This share link is not valid.", page.Find(".watch-text").TextContent);
        Assert.Contains("watch-bad", page.Find(".watch-message").ClassList);
        Assert.NotNull(page.Find("a.btn[href='/']"));
    }

    [Fact]
    public async Task Revoked_link_says_sharing_stopped()
    {
        var (_, link) = LiveSessionWithLink();
        await _live.Sessions.RevokeAsync(link);
        var page = Render<Watch>(p => p.Add(w => w.Token, link.Token));
        Assert.Equal(ShareLink.RevokedByHost, page.Find(".watch-text").TextContent);
    }

    [Fact]
    public void Live_link_hands_its_whep_endpoint_to_the_page_script()
    {
        var (_, link) = LiveSessionWithLink();
        var page = Render<Watch>(p => p.Add(w => w.Token, link.Token));
        Assert.Equal($"/whep/{link.Token}", page.Find(".watch").GetAttribute("data-whep"));
        Assert.Equal("Connecting to the live stream…", page.Find(".watch-text").TextContent);
        Assert.DoesNotContain("watch-bad", page.Find(".watch-message").ClassList);
        Assert.Equal("js/watch.js", page.Find("script[type=module]").GetAttribute("src"));
        Assert.Equal("[]", page.Find(".watch").GetAttribute("data-ice-servers"));
        Assert.Equal(0, link.ViewerCount); // the viewer joins over WHEP from the browser, not while rendering
        Assert.Single(_live.Peers.Created); // the host peer only
    }

    [Fact]
    public async Task Ended_session_says_the_stream_ended()
    {
        var (sessionId, link) = LiveSessionWithLink();
        await _live.Sessions.EndAsync(sessionId, "stopped");
        var page = Render<Watch>(p => p.Add(w => w.Token, link.Token));
        Assert.Equal(ShareLink.SessionEnded, page.Find(".watch-text").TextContent);
    }

    private IRenderedComponent<Watch> LiveWatchPage(bool chromeless)
    {
        var (_, link) = LiveSessionWithLink();
        if (chromeless)
        {
            var nav = Services.GetService(typeof(Microsoft.AspNetCore.Components.NavigationManager)) as Microsoft.AspNetCore.Components.NavigationManager;
            nav!.NavigateTo($"/watch/{link.Token}?chromeless=1");
        }
        return Render<Watch>(p => p.Add(w => w.Token, link.Token));
    }

    [Fact]
    public void Chromeless_live_page_is_the_video_alone()
    {
        var page = LiveWatchPage(chromeless: true);
        Assert.Contains("chromeless", page.Find(".watch").ClassList);
        Assert.Equal("true", page.Find(".watch").GetAttribute("data-chromeless"));
        // Bare: the page wrapper, the stage, the video and (until the script says live) the connecting note; no header, heading, brand or link.
        var elements = page.FindAll(".watch, .watch *").Select(e => e.LocalName).ToList();
        Assert.Equal(["div", "div", "video", "div", "span", "p"], elements);
        Assert.Empty(page.FindAll("header, nav, h1, a, button, .topbar, .live-badge, .brand, .tagline"));
        var video = page.Find("video.watch-video");
        Assert.False(string.IsNullOrWhiteSpace(video.GetAttribute("aria-label")));
        Assert.True(video.HasAttribute("autoplay") && video.HasAttribute("muted") && video.HasAttribute("playsinline"));
    }

    [Fact]
    public void Normal_live_page_has_the_app_chrome_around_the_video()
    {
        var page = LiveWatchPage(chromeless: false);
        Assert.DoesNotContain("chromeless", page.Find(".watch").ClassList);
        Assert.Equal("PersonaLive", page.Find("header.topbar a.brand[href='/']").TextContent);
        Assert.Contains("watching a live portrait", page.Find("header.topbar .tagline").TextContent, StringComparison.Ordinal);
        Assert.Equal("Live portrait", page.Find("h1").TextContent);
        Assert.Equal("false", page.Find(".watch").GetAttribute("data-chromeless"));
        Assert.NotNull(page.Find("video.watch-video"));
    }

    [Fact]
    public void Chromeless_page_says_how_the_link_ended_without_offering_the_studio()
    {
        var nav = Services.GetService(typeof(Microsoft.AspNetCore.Components.NavigationManager)) as Microsoft.AspNetCore.Components.NavigationManager;
        var token = ShareLinkRegistry.NewToken();
        nav!.NavigateTo($"/watch/{token}?chromeless=1");
        var page = Render<Watch>(p => p.Add(w => w.Token, token));
        Assert.Equal("This share link is not valid.", page.Find(".watch-text").TextContent);
        Assert.Empty(page.FindAll("header, h1, a, .topbar"));
    }
}
