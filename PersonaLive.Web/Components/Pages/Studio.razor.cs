using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Components.Live;
using PersonaLive.Web.Hosting;
using PersonaLive.Web.Live.Media;
using PersonaLive.Web.Live.Pipeline;
using PersonaLive.Web.Live.Sessions;
using PersonaLive.WebRtc.PeerConnection;

namespace PersonaLive.Web.Components.Pages;

/// <summary>Where the Studio is in its life: idle, waiting for a slot, starting, live, or ended.</summary>
public enum StudioPhase { Idle, Queued, Starting, Live, ConnectionLost, Ended }

/// <summary>
/// The Studio: portrait, camera/video source, Start/Stop, re-centre, share. Signalling runs through this
/// circuit: live.js creates the offer, <see cref="LiveSessionManager"/> answers it, live.js applies the
/// answer; once a second the page reports its stats and glass-to-glass samples and receives the
/// (RTP timestamp -> capture time) pairs it needs to measure more.
/// </summary>
public sealed partial class Studio : IAsyncDisposable
{
    [Inject] private IAnimationEngineFactory EngineFactory { get; set; } = default!;
    [Inject] private LiveSessionManager Sessions { get; set; } = default!;
    [Inject] private IOptions<LimitsOptions> Limits { get; set; } = default!;
    [Inject] private IOptions<RtcOptions> Rtc { get; set; } = default!;

    /// <summary>This page's ICE servers, TURN credentials derived for it when a shared secret is configured.</summary>
    private IReadOnlyList<PersonaLive.Web.Live.Media.Rtc.BrowserIceServer> PageIceServers() =>
        PersonaLive.Web.Live.Media.Rtc.BrowserIceServers.For(Rtc.Value, "studio-" + Guid.NewGuid().ToString("N")[..12], TimeProvider.System);
    [Inject] private IJSRuntime Js { get; set; } = default!;
    [Inject] private CircuitPresence Presence { get; set; } = default!;
    [Inject] private PersonaLive.Web.Live.Portraits.PresetPortraits Presets { get; set; } = default!;

    /// <summary>
    /// <c>?autostart=PRESET</c>: pick that preset and press Start as soon as the engine is ready (kiosk
    /// use and the e2e benchmark, which runs the page in headless Chromium with a fake camera).
    /// </summary>
    [SupplyParameterFromQuery(Name = "autostart")] public string? AutoStart { get; set; }

    private StudioPhase _phase;
    private string? _message;
    private string? _problem;
    private PortraitChoice? _portrait;
    private BrowserCapabilities? _caps;
    private List<CameraInfo> _cameras = [];
    private string? _cameraId;
    private string _source = "camera";
    private int _queuePosition;
    private int _attempt; // bumped by Stop: a start still in flight notices and backs out
    private bool _firstFrameReported; // the page's Start-to-first-frame time goes to FirstFrameProbe once per start
    private string? _connection;
    private EngineStatus _engineStatus = new(EngineState.NotStarted, "");
    private LiveSession? _session;
    private LiveSessionStats? _serverStats;
    private ClientStats? _clientStats;
    private CancellationTokenSource? _queueCts;
    private readonly CancellationTokenSource _disposed = new();
    /// <summary>Cancelled when the page's connection stayed down: browser calls of a start in flight give up at once.</summary>
    private readonly CancellationTokenSource _gone = new();
    private IJSObjectReference? _module, _client;
    private DotNetObjectReference<Studio>? _self;
    private ElementReference _cameraVideo, _outputVideo, _videoFileInput;

    /// <summary>Why Start is not possible now (null when it is).</summary>
    internal string? StartBlocker =>
        _caps is null ? "The page is still loading." :
        _caps is { CanGoLive: false } ? "This browser cannot stream live video." :
        !Sessions.Peers.IsAvailable ? "Live video is not available on this server." :
        _engineStatus.State != EngineState.Ready ? $"The engine is not ready: {_engineStatus.Message}" :
        _portrait is null ? "Choose a portrait first." :
        null;

    private string StatusText => _phase switch
    {
        StudioPhase.Queued => $"The server is full. You are number {_queuePosition} in the queue; you will start automatically.",
        StudioPhase.Starting => _message ?? "Starting…",
        StudioPhase.Live => _message ?? (_connection == "connected" ? "Live. Move your head and talk: the portrait follows." : "Connecting…"),
        StudioPhase.ConnectionLost => (_message ?? "The connection was lost.") + " Your portrait is kept: press Reconnect.",
        _ => _problem ?? _message ?? (_portrait is null ? "Choose a portrait to begin." : "Ready. Press Start when you are."),
    };

    private string StatusClass => _problem is not null || _phase == StudioPhase.ConnectionLost ? "status-bad" : _phase == StudioPhase.Queued ? "status-warn" : "";

    protected override void OnInitialized()
    {
        _engineStatus = EngineFactory.Status;
        Sessions.SessionEnded += OnSessionEnded;
        Presence.Departed += OnDepartedAsync;
        if (RendererInfo.IsInteractive) _ = RefreshLoopAsync(_disposed.Token);
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender) return;
        try
        {
            _module = await Js.InvokeAsync<IJSObjectReference>("import", "./js/live.js");
            _caps = await _module.InvokeAsync<BrowserCapabilities>("capabilities");
            _cameras = await _module.InvokeAsync<List<CameraInfo>>("listCameras") ?? [];
            StateHasChanged();
        }
        catch (JSDisconnectedException) { return; }
        catch (JSException ex)
        {
            _problem = $"The page script could not load: {ex.Message.Split('\n')[0].Trim()}";
            StateHasChanged();
            return;
        }
        if (!string.IsNullOrEmpty(AutoStart)) await AutoStartAsync(AutoStart);
    }

    private async Task RefreshLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var status = EngineFactory.Status;
                var changed = status != _engineStatus;
                _engineStatus = status;
                if (_session is { } s)
                {
                    _serverStats = s.GetStats();
                    changed = true;
                }
                if (changed) await InvokeAsync(StateHasChanged);
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task OnPortraitChosenAsync(PortraitChoice choice)
    {
        _portrait = choice;
        _problem = null;
        _session?.ReplacePortrait(choice.Portrait);
        await Task.CompletedTask;
    }

    private async Task StartAsync()
    {
        if (StartBlocker is not null || _portrait is null) return;
        _problem = null;
        _message = null;
        var ticket = Sessions.Admission.TryEnter();
        if (ticket is null)
        {
            _phase = StudioPhase.Queued;
            _queuePosition = Sessions.Admission.Waiting + 1; // shown until the queue reports the exact place
            _queueCts = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
            StateHasChanged();
            try
            {
                ticket = await Sessions.Admission.EnterAsync(p => InvokeAsync(() => { _queuePosition = p; StateHasChanged(); }), _queueCts.Token);
            }
            catch (OperationCanceledException)
            {
                if (!_disposed.IsCancellationRequested) _phase = StudioPhase.Idle;
                return;
            }
            finally
            {
                _queueCts.Dispose();
                _queueCts = null;
            }
        }

        if (_disposed.IsCancellationRequested || _gone.IsCancellationRequested)
        {
            ticket.Dispose(); // granted just as the page closed or went away
            return;
        }

        var attempt = ++_attempt;
        _firstFrameReported = false;
        var handedOver = false; // once Sessions.Start has the ticket, the session (or its failure path) frees it
        _phase = StudioPhase.Starting;
        _message = _source == "file" ? "Playing your video file…" : "Starting your camera… (allow camera access if asked)";
        StateHasChanged();
        try
        {
            _self ??= DotNetObjectReference.Create(this);
            _client ??= await _module!.InvokeAsync<IJSObjectReference>("createClient", _gone.Token, _self);
            var start = await _client.InvokeAsync<ClientStartResult>("startStudio", _gone.Token, _cameraVideo, _outputVideo,
                new { source = _source, deviceId = _cameraId, fileInput = _videoFileInput, iceServers = PageIceServers(), iceTransportPolicy = Rtc.Value.IceTransportPolicy });
            if (start is not { Ok: true, OfferSdp: { } offer })
            {
                Fail(CameraProblem(start?.Kind, start?.Message));
                return;
            }
            if (attempt != _attempt || _disposed.IsCancellationRequested)
            {
                await StopClientAsync();
                return;
            }
            handedOver = true;
            var (session, answer) = Sessions.Start(ticket, _portrait.Portrait, offer);
            _session = session;
            _session.ConnectionStateChanged += OnServerConnectionState;
            await _client.InvokeVoidAsync("acceptAnswer", answer);
            _phase = StudioPhase.Live;
            _message = null;
            _cameras = await _module!.InvokeAsync<List<CameraInfo>>("listCameras") ?? _cameras; // labels appear once permission is granted
        }
        catch (JSDisconnectedException)
        {
            // The page went away mid-start; DisposeAsync ends any session.
        }
        catch (OperationCanceledException) when (_gone.IsCancellationRequested)
        {
            // The page's connection is gone: a call to it would wait for the interop timeout holding the
            // slot; the ticket is freed below, or the departure handler ends the session it reached.
            Fail("The connection to the server was lost. Reload the page to go live again.");
        }
        catch (JSException ex)
        {
            await EndSessionAsync("The browser could not start the connection.");
            // JS exceptions carry the script stack after the first line; people need only the reason.
            Fail($"The browser could not start the connection: {ex.Message.Split('\n')[0].Trim()}");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // MediaNegotiationException (unusable offer), engine not ready, anything else: this session only.
            await StopClientAsync();
            Fail(ex.Message);
        }
        finally
        {
            if (!handedOver) ticket.Dispose();
        }
    }

    private void Fail(string problem)
    {
        _phase = StudioPhase.Idle;
        _problem = problem;
        _message = null;
    }

    private async Task StopAsync()
    {
        _attempt++;
        await EndSessionAsync("Stopped.");
        _phase = StudioPhase.Idle;
        _message = "Stopped. Press Start to go live again.";
    }

    private void LeaveQueue() => _queueCts?.Cancel();

    private void Recenter() => _session?.Recenter();

    private async Task OnCameraChangedAsync()
    {
        if (_phase != StudioPhase.Live || _client is null || string.IsNullOrEmpty(_cameraId)) return;
        var result = await _client.InvokeAsync<ClientStartResult>("switchCamera", _cameraVideo, _cameraId);
        if (result is { Ok: false }) _problem = CameraProblem(result.Kind, result.Message);
    }

    private void OnServerConnectionState(MediaPeerState state) => _ = InvokeAsync(StateHasChanged);

    /// <summary>
    /// Ends our session on the server first, then closes the browser side: whoever ends first decides the
    /// reason, so the browser's close_notify cannot turn a Stop into "connection closed".
    /// </summary>
    private async Task EndSessionAsync(string reason, SessionEndReason why = SessionEndReason.Stopped)
    {
        if (DetachSession() is { } id) await Sessions.EndAsync(id, new SessionEnd(why, reason));
        await StopClientAsync();
    }

    /// <summary>The page's connection stayed down: give the slot or the queue place to the next person now.</summary>
    private Task OnDepartedAsync()
    {
        _gone.Cancel(); // off the renderer: a start awaiting the browser backs out now
        return InvokeAsync(async () =>
        {
            _attempt++; // a start still in flight backs out
            _queueCts?.Cancel();
            if (DetachSession() is { } id) await Sessions.EndAsync(id, new SessionEnd(SessionEndReason.Stopped, "The page went away."));
        });
    }

    private string? DetachSession()
    {
        if (_session is not { } s) return null;
        s.ConnectionStateChanged -= OnServerConnectionState;
        _session = null;
        _serverStats = null;
        _clientStats = null;
        _connection = null;
        return s.Id;
    }

    private async Task StopClientAsync()
    {
        if (_client is null) return;
        try { await _client.InvokeVoidAsync("stop"); }
        catch (JSDisconnectedException) { }
        catch (JSException) { }
    }

    public async ValueTask DisposeAsync()
    {
        Sessions.SessionEnded -= OnSessionEnded;
        Presence.Departed -= OnDepartedAsync;
        await _disposed.CancelAsync();
        if (DetachSession() is { } id) await Sessions.EndAsync(id, "The page was closed.");
        try
        {
            if (_client is not null) { await _client.InvokeVoidAsync("stop"); await _client.DisposeAsync(); }
            if (_module is not null) await _module.DisposeAsync();
        }
        catch (JSDisconnectedException) { }
        _self?.Dispose();
        _disposed.Dispose(); // _gone stays undisposed: a late departure may still cancel it
    }
}
