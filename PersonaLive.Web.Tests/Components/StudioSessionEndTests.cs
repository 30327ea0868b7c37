using PersonaLive.Media;
using Bunit;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Components.Pages;
using PersonaLive.Web.Live.Diagnostics;
using PersonaLive.Web.Live.Imaging;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Pipeline;
using PersonaLive.Web.Tests.Fakes;
using static PersonaLive.Web.Tests.Components.StudioPageTests;

namespace PersonaLive.Web.Tests.Components;

/// <summary>
/// bUnit: how the Studio reacts when its session ends. The typed <see cref="SessionEndReason"/> decides:
/// a lost connection offers Reconnect and keeps the portrait, every other end returns to Start; the
/// wording of the message plays no part.
/// </summary>
public sealed class StudioSessionEndTests : BunitContext
{
    private readonly LiveTestServices _live = new();

    private IRenderedComponent<Studio> RenderLiveStudio(Func<IAnimationEngine>? engine = null)
    {
        _live.Engine.CreateEngineWith = engine ?? (() => new DelayedEchoEngine(TimeSpan.Zero));
        _live.Register(this);
        var page = Render<Studio>();
        ChoosePreset(page);
        Click(page, "button.start");
        page.WaitForAssertion(() => Assert.NotNull(page.Find("button.stop")));
        return page;
    }

    private static void AssertReconnectOffered(IRenderedComponent<Studio> page, string message)
    {
        page.WaitForAssertion(() => Assert.NotNull(page.Find("button.reconnect")));
        var status = page.Find(".live-status");
        Assert.Contains(message, status.TextContent, StringComparison.Ordinal);
        Assert.Contains("Your portrait is kept", status.TextContent, StringComparison.Ordinal);
        Assert.Contains("status-bad", status.ClassList);
        Assert.NotEmpty(page.FindAll("img.portrait-preview"));
        Assert.Empty(page.FindAll("button.start"));
    }

    private static void AssertBackToStart(IRenderedComponent<Studio> page, string message)
    {
        page.WaitForAssertion(() => Assert.NotNull(page.Find("button.start")));
        Assert.Empty(page.FindAll("button.reconnect"));
        Assert.Empty(page.FindAll("button.stop"));
        Assert.Contains(message, page.Find(".live-status").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Your portrait is kept", page.Find(".live-status").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Lost_connection_offers_reconnect_and_keeps_the_portrait()
    {
        var page = RenderLiveStudio();

        page.InvokeAsync(() => page.Instance.OnConnectionState("failed"));

        AssertReconnectOffered(page, "The connection was lost.");
        Assert.Equal(0, _live.Sessions.ActiveCount);
        Click(page, "button.reconnect");
        page.WaitForAssertion(() => Assert.NotNull(page.Find("button.stop")));
        Assert.Equal(2, _live.Peers.Created.Count);
    }

    [Fact]
    public void Server_side_peer_failure_offers_reconnect()
    {
        var page = RenderLiveStudio();
        _live.Peers.Created.Single().SetState(MediaPeerState.Failed); // e.g. ICE consent expired on the server
        AssertReconnectOffered(page, "The connection to your browser was lost.");
        Assert.Equal(0, _live.Sessions.ActiveCount);
    }

    [Fact]
    public void Engine_failure_returns_to_start_without_reconnect()
    {
        var page = RenderLiveStudio(() => new ThrowingEngine());
        using (var frame = I420Frame.Create(16, 16)) _live.Peers.Created.Single().Deliver(frame, 1);
        AssertBackToStart(page, "The animation engine failed");
    }

    [Fact]
    public async Task The_reason_decides_not_the_wording()
    {
        var page = RenderLiveStudio();
        await _live.Sessions.EndAsync(_live.Sessions.FindAllIds().Single(), new SessionEnd(SessionEndReason.ConnectionLost, "Network gone."));
        AssertReconnectOffered(page, "Network gone.");

        Click(page, "button.reconnect");
        page.WaitForAssertion(() => Assert.NotNull(page.Find("button.stop")));
        await _live.Sessions.EndAsync(_live.Sessions.FindAllIds().Single(), new SessionEnd(SessionEndReason.Idle, "Idle too long: the link was lost."));
        AssertBackToStart(page, "Idle too long: the link was lost.");
    }
}
