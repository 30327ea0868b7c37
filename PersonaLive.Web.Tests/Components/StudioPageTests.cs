using Bunit;
using Microsoft.Extensions.DependencyInjection;
using PersonaLive.Inference.Engines;
using PersonaLive.Inference.Imaging;
using PersonaLive.Web.Components.Live;
using PersonaLive.Web.Components.Pages;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Tests.Fakes;

namespace PersonaLive.Web.Tests.Components;

/// <summary>bUnit: every Studio state renders the right text and controls.</summary>
public sealed class StudioPageTests : BunitContext
{
    private readonly LiveTestServices _live = new();

    private IRenderedComponent<Studio> RenderStudio(IMediaPeerFactory? peers = null, BrowserCapabilities? caps = null)
    {
        _live.Register(this, peers, caps);
        return Render<Studio>();
    }

    [Fact]
    public void Shows_engine_name_state_and_provisioning_progress()
    {
        _live.Engine.Status = new EngineStatus(EngineState.Provisioning, "Downloading face models", 0.4);
        var page = RenderStudio();

        Assert.Equal("Studio", page.Find("h1").TextContent);
        Assert.Equal("lite", page.Find(".engine-name").TextContent);
        var state = page.Find(".engine-state");
        Assert.Equal("Downloading face models", state.TextContent);
        Assert.Contains("state-provisioning", state.ClassList);
        Assert.Equal("0.4", page.Find("progress.engine-progress").GetAttribute("value"));
        Assert.Contains("40 %", page.Find(".engine-percent").TextContent, StringComparison.Ordinal);
        Assert.Contains("The engine is not ready: Downloading face models", page.Find(".start-blocker").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_portrait_start_is_disabled_and_says_why()
    {
        var page = RenderStudio();
        Assert.Contains("Choose a portrait to begin.", page.Find(".live-status").TextContent, StringComparison.Ordinal);
        Assert.True(page.Find("button.start").HasAttribute("disabled"));
        Assert.Equal("Choose a portrait first.", page.Find(".start-blocker").TextContent);
        Assert.Contains("Drop a portrait here", page.Find(".dropzone").TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Find("input#portrait-file[type=file]").GetAttribute("aria-label"));
        Assert.Equal(3, page.FindAll(".preset").Count);
    }

    [Fact]
    public void Uploading_a_portrait_shows_the_aligned_crop_and_enables_start()
    {
        var page = RenderStudio();
        page.FindComponent<Microsoft.AspNetCore.Components.Forms.InputFile>().UploadFiles(InputFileContent.CreateFromBinary(LiveTestServices.Png(200, 200), "me.png"));

        page.WaitForAssertion(() => Assert.StartsWith("data:image/jpeg;base64,", page.Find("img.portrait-preview").GetAttribute("src"), StringComparison.Ordinal));
        Assert.Contains("Face found", page.Find(".face-ok").TextContent, StringComparison.Ordinal);
        Assert.Contains("me", page.Find(".face-ok").TextContent, StringComparison.Ordinal);
        Assert.False(page.Find("button.start").HasAttribute("disabled"));
        Assert.Empty(page.FindAll(".start-blocker"));
    }

    public static TheoryData<string, byte[], string> BadUploads => new()
    {
        { "not an image", "hello, this is text"u8.ToArray(), "not a JPEG, PNG or WebP image" },
        { "too large", new byte[300_000], "the limit is 0.2 MB" },
        { "too many pixels", LiveTestServices.Png(1200, 1000), "the limit is 1 megapixels" },
        { "too small", LiveTestServices.Png(32, 32), "at least 64x64" },
        { "damaged png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3], "could not be read" },
    };

    [Theory]
    [MemberData(nameof(BadUploads))]
    public void Bad_uploads_get_a_clear_message_and_change_nothing(string _, byte[] content, string expected)
    {
        var page = RenderStudio();
        page.FindComponent<Microsoft.AspNetCore.Components.Forms.InputFile>().UploadFiles(InputFileContent.CreateFromBinary(content, "file.png"));
        page.WaitForAssertion(() => Assert.Contains(expected, page.Find(".upload-error").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("img.portrait-preview"));
        Assert.True(page.Find("button.start").HasAttribute("disabled"));
        Assert.Equal(0, _live.Engine.PrepareCalls);
    }

    [Fact]
    public void No_face_found_shows_the_engines_reason_and_keeps_the_previous_portrait()
    {
        var page = RenderStudio();
        Click(page, ".preset");
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("img.portrait-preview")));
        var before = page.Find("img.portrait-preview").GetAttribute("src");

        _live.Engine.Prepare = _ => PortraitResult.Fail("No face was found. Use a photo with one clear, front-facing face.");
        page.FindComponent<Microsoft.AspNetCore.Components.Forms.InputFile>().UploadFiles(InputFileContent.CreateFromBinary(LiveTestServices.Png(100, 100), "cat.png"));

        page.WaitForAssertion(() => Assert.Contains("No face was found", page.Find(".upload-error").TextContent, StringComparison.Ordinal));
        Assert.Equal(before, page.Find("img.portrait-preview").GetAttribute("src"));
        Assert.False(page.Find("button.start").HasAttribute("disabled"));
    }

    [Fact]
    public void Going_live_answers_the_offer_and_shows_stats_share_and_stop()
    {
        _live.Engine.CreateEngineWith = () => new PersonaLive.Web.Live.Diagnostics.DelayedEchoEngine(TimeSpan.Zero);
        var page = RenderStudio();
        ChoosePreset(page);

        Click(page, "button.start");

        page.WaitForAssertion(() => Assert.Single(_live.Peers.Created));
        var host = _live.Peers.Created.Single();
        Assert.Equal("v=0 browser-offer", host.Offer);
        Assert.Contains("Connecting", page.Find(".live-status").TextContent, StringComparison.Ordinal);
        page.InvokeAsync(() => page.Instance.OnConnectionState("connected"));
        page.WaitForAssertion(() => Assert.Contains("Live.", page.Find(".live-status").TextContent, StringComparison.Ordinal));
        Assert.NotNull(page.Find(".stats-overlay .stat-latency"));
        Assert.NotNull(page.Find("button.recenter"));

        // The page's stats tick: latency samples are recorded, capture-time pairs come back.
        var pairs = page.Instance.OnClientStats(new ClientStats(30, 25, 900, 1200, 100, 3, [120, 140, 130]));
        Assert.Empty(pairs);
        Assert.Equal(130, _live.Sessions.Find(_live.Sessions.FindAllIds().Single())!.Latency.GlassToGlassMedianMs);

        Click(page, "button.share");
        Assert.Contains("/watch/", page.Find("input.share-url").GetAttribute("value"), StringComparison.Ordinal);
        Assert.Contains("0 viewers", page.Find(".viewer-count").TextContent, StringComparison.Ordinal);
        Click(page, "button.revoke");
        Assert.Contains("Sharing stopped", page.Find(".share-panel").TextContent, StringComparison.Ordinal);

        Click(page, "button.stop");
        page.WaitForAssertion(() => Assert.NotNull(page.Find("button.start")));
        Assert.Contains("Stopped", page.Find(".live-status").TextContent, StringComparison.Ordinal);
        Assert.True(host.Disposed);
        Assert.Equal(0, _live.Sessions.ActiveCount);
        Assert.Equal(0, _live.Admission.Active);
    }

    [Theory]
    [InlineData("denied", "Camera access was denied")]
    [InlineData("nocamera", "No camera was found")]
    [InlineData("busy", "in use by another application")]
    [InlineData("nofile", "Choose a video file")]
    public void Camera_problems_are_explained_and_free_the_slot(string kind, string expected)
    {
        var page = RenderStudio();
        _live.StartStudio.SetResult(new ClientStartResult(false, null, kind, "NotAllowedError"));
        ChoosePreset(page);
        Click(page, "button.start");
        page.WaitForAssertion(() => Assert.Contains(expected, page.Find(".live-status").TextContent, StringComparison.Ordinal));
        Assert.Contains("status-bad", page.Find(".live-status").ClassList);
        Assert.NotNull(page.Find("button.start"));
        Assert.Equal(0, _live.Admission.Active);
        Assert.Empty(_live.Peers.Created);
    }

    [Fact]
    public void Server_full_shows_the_queue_position_and_starts_when_a_slot_frees()
    {
        _live.Limits.MaxSessions = 1;
        _live.Engine.CreateEngineWith = () => new PersonaLive.Web.Live.Diagnostics.DelayedEchoEngine(TimeSpan.Zero);
        var page = RenderStudio();
        var someoneElse = _live.Admission.TryEnter()!;
        ChoosePreset(page);

        Click(page, "button.start");
        page.WaitForAssertion(() => Assert.Contains("The server is full. You are number 1 in the queue", page.Find(".live-status").TextContent, StringComparison.Ordinal));
        Assert.NotNull(page.Find("button.leave-queue"));
        Assert.True(page.Find("button.waiting").HasAttribute("disabled"));
        Assert.Empty(page.FindAll("button.start"));
        Assert.Contains("status-warn", page.Find(".live-status").ClassList);

        someoneElse.Dispose();
        page.WaitForAssertion(() => Assert.Single(_live.Peers.Created));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("button.stop")));
    }

    [Fact]
    public void Leaving_the_queue_returns_to_ready()
    {
        _live.Limits.MaxSessions = 1;
        var page = RenderStudio();
        using var someoneElse = _live.Admission.TryEnter()!;
        ChoosePreset(page);
        Click(page, "button.start");
        page.WaitForAssertion(() => Assert.NotNull(page.Find("button.leave-queue")));
        Click(page, "button.leave-queue");
        page.WaitForAssertion(() => Assert.Contains("Ready", page.Find(".live-status").TextContent, StringComparison.Ordinal));
        Assert.Equal(0, _live.Admission.Waiting);
    }

    [Fact]
    public void Unsupported_browser_is_told_so_and_cannot_start()
    {
        var page = RenderStudio(caps: new BrowserCapabilities(false, false, false, false, false, false));
        page.WaitForAssertion(() => Assert.Contains("This browser cannot stream live video", page.Find(".unsupported").TextContent, StringComparison.Ordinal));
        ChoosePreset(page);
        Assert.True(page.Find("button.start").HasAttribute("disabled"));
    }

    [Fact]
    public void Missing_media_stack_is_explained()
    {
        var page = RenderStudio(peers: new UnavailableMediaPeerFactory());
        Assert.Equal(UnavailableMediaPeerFactory.Reason, page.Find(".media-unavailable").TextContent);
        ChoosePreset(page);
        Assert.True(page.Find("button.start").HasAttribute("disabled"));
        Assert.Equal("Live video is not available on this server.", page.Find(".start-blocker").TextContent);
    }

    [Fact]
    public void Replacing_the_portrait_while_live_reaches_the_engine()
    {
        var engine = new PersonaLive.Web.Live.Diagnostics.DelayedEchoEngine(TimeSpan.Zero);
        _live.Engine.CreateEngineWith = () => engine;
        var replacement = new PreparedPortrait(new RgbaImage(4, 4), 4);
        var page = RenderStudio();
        ChoosePreset(page);
        Click(page, "button.start");
        page.WaitForAssertion(() => Assert.NotNull(page.Find("button.stop")));
        var first = engine.Portrait;

        _live.Engine.Prepare = _ => PortraitResult.Ok(replacement);
        page.InvokeAsync(() => page.FindAll(".preset")[1].Click());
        page.WaitForAssertion(() => Assert.Contains("Kofi", page.Find(".face-ok").TextContent, StringComparison.Ordinal));
        Click(page, "button.recenter");

        // Commands are applied by the engine worker before the next chunk.
        using (var frame = PersonaLive.Media.I420Frame.Create(16, 16)) _live.Peers.Created.Single().Deliver(frame, 1);
        page.WaitForAssertion(() => Assert.Same(replacement, engine.Portrait), TimeSpan.FromSeconds(5));
        Assert.NotSame(first, engine.Portrait);
        page.WaitForAssertion(() => Assert.Equal(1, engine.Recentered), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Browser_failure_after_the_answer_ends_the_session_and_frees_everything()
    {
        _live.Engine.CreateEngineWith = () => new PersonaLive.Web.Live.Diagnostics.DelayedEchoEngine(TimeSpan.Zero);
        var page = RenderStudio();
        _live.Client.SetupVoid("acceptAnswer", _ => true).SetException(new Microsoft.JSInterop.JSException("Failed to parse SessionDescription.\n    at LiveClient.acceptAnswer (live.js:105:19)"));
        ChoosePreset(page);
        Click(page, "button.start");

        page.WaitForAssertion(() => Assert.Contains("The browser could not start the connection: Failed to parse SessionDescription.", page.Find(".live-status").TextContent, StringComparison.Ordinal));
        Assert.DoesNotContain("live.js:105", page.Find(".live-status").TextContent, StringComparison.Ordinal);
        Assert.True(_live.Peers.Created.Single().Disposed);
        Assert.Equal(0, _live.Sessions.ActiveCount);
        Assert.Equal(0, _live.Admission.Active);
        Assert.NotNull(page.Find("button.start"));
    }

    [Fact]
    public void Engine_that_cannot_create_sessions_is_reported_and_frees_the_slot()
    {
        _live.Engine.CreateEngineWith = () => throw new InvalidOperationException("The engine is still loading its models.");
        var page = RenderStudio();
        ChoosePreset(page);
        Click(page, "button.start");
        page.WaitForAssertion(() => Assert.Contains("still loading its models", page.Find(".live-status").TextContent, StringComparison.Ordinal));
        Assert.Equal(0, _live.Admission.Active);
        Assert.Empty(_live.Peers.Created);
    }

    [Fact]
    public void Autostart_picks_the_preset_and_goes_live()
    {
        _live.Engine.CreateEngineWith = () => new PersonaLive.Web.Live.Diagnostics.DelayedEchoEngine(TimeSpan.Zero);
        _live.Register(this);
        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo("/?autostart=mei");
        var page = Render<Studio>();
        page.WaitForAssertion(() => Assert.Single(_live.Peers.Created), TimeSpan.FromSeconds(5));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("button.stop")));
        Assert.Contains("Mei", page.Find("img.tile-portrait, img.portrait-preview").GetAttribute("alt") + page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Autostart_with_an_unknown_preset_says_so()
    {
        _live.Register(this);
        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo("/?autostart=nobody");
        var page = Render<Studio>();
        page.WaitForAssertion(() => Assert.Contains("no preset portrait called 'nobody'", page.Find(".live-status").TextContent, StringComparison.Ordinal));
        Assert.Empty(_live.Peers.Created);
    }

    /// <summary>Find and click in one renderer step: the Studio re-renders every second while live.</summary>
    internal static void Click(IRenderedComponent<Studio> page, string selector) =>
        page.InvokeAsync(() => page.Find(selector).Click()).GetAwaiter().GetResult();

    internal static void ChoosePreset(IRenderedComponent<Studio> page)
    {
        Click(page, ".preset");
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("img.portrait-preview")));
    }
}
