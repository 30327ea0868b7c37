using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;
using PersonaLive.Web.Hosting;
using PersonaLive.Web.Live.Diagnostics;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.Web.Tests.Fakes;

namespace PersonaLive.Web.Tests.Live;

/// <summary>
/// The session manager's lifetime rules: a viewer join that throws anything gives its slot back (the
/// link's viewer count never leaks), and revoking a link completes only once its viewers are dropped.
/// </summary>
public sealed class SessionManagerLifetimeTests : IAsyncDisposable
{
    private readonly FakeMediaPeerFactory _peers = new();
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private LiveSessionManager CreateManager()
    {
        return TestSessionManagers.Create(TestSessionManagers.ReadyEcho(() => new DelayedEchoEngine(TimeSpan.Zero, 1, 16)), _peers,
            _meters.GetRequiredService<IMeterFactory>(), new LimitsOptions { MaxSessions = 1, IdleTimeoutSeconds = 30, MaxViewersPerSession = 2 });
    }

    [Theory]
    [InlineData(true)]  // creating the viewer's peer throws
    [InlineData(false)] // the peer's answer throws something other than a negotiation failure
    public async Task A_throwing_viewer_join_leaves_the_viewer_count_right(bool peerCreationThrows)
    {
        await using var manager = CreateManager();
        var (session, _) = manager.Start(manager.Admission.TryEnter()!, new PreparedPortrait(new RgbaImage(16, 16), 16), "offer");
        var link = manager.Share(session.Id);
        _peers.Customize = role => role != MediaPeerRole.Viewer ? new FakeMediaPeer(role, "host")
            : peerCreationThrows ? throw new InvalidOperationException("no peer for you")
            : new FakeMediaPeer(role, "viewer") { AnswerFailure = new InvalidOperationException("answer blew up") };

        for (var i = 0; i < 5; i++)
        {
            var join = manager.JoinAsViewer(link.Token, "viewer-offer");
            Assert.Equal(ViewerJoinStatus.Unavailable, join.Status);
        }

        Assert.Equal(0, link.ViewerCount);
        Assert.Equal(0, manager.ViewerCount);
        if (!peerCreationThrows) Assert.All(_peers.Created.Where(p => p.Role == MediaPeerRole.Viewer), p => Assert.True(p.Disposed));
        _peers.Customize = null;
        Assert.Equal(ViewerJoinStatus.Joined, manager.JoinAsViewer(link.Token, "viewer-offer").Status); // the slots are free
    }

    [Fact]
    public async Task Revoking_a_link_completes_once_its_viewers_are_dropped()
    {
        await using var manager = CreateManager();
        var (session, _) = manager.Start(manager.Admission.TryEnter()!, new PreparedPortrait(new RgbaImage(16, 16), 16), "offer");
        var link = manager.Share(session.Id);
        Assert.Equal(ViewerJoinStatus.Joined, manager.JoinAsViewer(link.Token, "o").Status);
        Assert.Equal(ViewerJoinStatus.Joined, manager.JoinAsViewer(link.Token, "o").Status);

        await manager.RevokeAsync(link);

        Assert.False(link.IsOpen);
        Assert.Equal(0, link.ViewerCount);
        Assert.Equal(0, manager.ViewerCount);
        Assert.All(_peers.Created.Where(p => p.Role == MediaPeerRole.Viewer), p => Assert.True(p.Disposed));
    }

    public async ValueTask DisposeAsync() => await _meters.DisposeAsync();
}
