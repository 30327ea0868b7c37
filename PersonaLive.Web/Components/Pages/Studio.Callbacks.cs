using Microsoft.JSInterop;
using PersonaLive.Inference.Engines;
using PersonaLive.Web.Components.Live;
using PersonaLive.Web.Live.Pipeline;
using PersonaLive.Web.Live.Portraits;

namespace PersonaLive.Web.Components.Pages;

/// <summary>The Studio's browser callbacks (live.js), camera messages and autostart.</summary>
public sealed partial class Studio
{
    /// <summary>
    /// live.js: RTCPeerConnection.connectionState changed in the browser; on "failed",
    /// <paramref name="iceProblem"/> says which STUN/TURN server reported what (unreachable, credentials
    /// rejected), so the user sees why rather than a silent ICE failure.
    /// </summary>
    [JSInvokable]
    public async Task OnConnectionState(string state, string? iceProblem = null)
    {
        _connection = state;
        if (state == "failed" && _session is not null)
        {
            string message = iceProblem is null
                ? "The connection was lost."
                : $"The connection failed: an ICE server did not work ({iceProblem}). Check Rtc:IceServers.";
            await EndSessionAsync(message, SessionEndReason.ConnectionLost);
            _phase = StudioPhase.ConnectionLost;
            _message = message;
        }
        else if (state == "disconnected" && _phase == StudioPhase.Live)
        {
            _message = "The connection is unstable; trying to recover…";
        }
        else if (state == "connected")
        {
            _message = null;
        }
        StateHasChanged();
    }

    /// <summary>
    /// The server ended our session by itself (peer failed or closed, engine failure, idle): a lost
    /// connection offers Reconnect with the portrait kept; anything else ends the live state.
    /// </summary>
    private void OnSessionEnded(string sessionId, SessionEnd end)
    {
        if (_session?.Id != sessionId) return;
        _ = InvokeAsync(async () =>
        {
            DetachSession();
            await StopClientAsync();
            _phase = end.Reason == SessionEndReason.ConnectionLost ? StudioPhase.ConnectionLost : StudioPhase.Ended;
            _message = end.Message;
            StateHasChanged();
        });
    }

    /// <summary>live.js: once a second, the browser's stats and latency samples; returns recent (RTP timestamp, capture time) pairs.</summary>
    [JSInvokable]
    public long[][] OnClientStats(ClientStats stats)
    {
        _clientStats = stats;
        if (_session is not { } session) return [];
        if (stats.FirstFrameMs is { } firstFrame && !_firstFrameReported)
        {
            _firstFrameReported = true;
            PersonaLive.Web.Live.Diagnostics.FirstFrameProbe.Report(session.Id, firstFrame);
        }
        foreach (var ms in stats.LatenciesMs ?? []) session.ReportGlassToGlass(ms);
        return session.Latency.RecentPairs(90).Select(p => new[] { (long)p.Rtp, p.CaptureUs }).ToArray();
    }

    internal static string CameraProblem(string? kind, string? message) => kind switch
    {
        "denied" => "Camera access was denied. Allow the camera for this site in your browser's address bar, then press Start again.",
        "nocamera" => "No camera was found. Connect a camera, or drive the portrait with a video file instead.",
        "busy" => "The camera is in use by another application. Close it and press Start again.",
        "nofile" => "Choose a video file to drive the portrait with.",
        _ => $"The camera could not be started{(string.IsNullOrEmpty(message) ? "." : $": {message}")}",
    };

    private async Task AutoStartAsync(string presetId)
    {
        if (Presets.Find(presetId) is not { } preset)
        {
            _problem = $"There is no preset portrait called '{presetId}'.";
            StateHasChanged();
            return;
        }
        while (EngineFactory.Status.State is not (EngineState.Ready or EngineState.Failed) && !_disposed.IsCancellationRequested)
            await Task.Delay(500, _disposed.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        _engineStatus = EngineFactory.Status;
        var result = await EngineFactory.PreparePortraitAsync(preset.Png, _disposed.Token);
        if (!result.Succeeded)
        {
            _problem = result.Error;
            StateHasChanged();
            return;
        }
        var name = preset.Name.Replace(" (illustrated)", "", StringComparison.Ordinal);
        _portrait = new PortraitChoice(result.Portrait!, name, PersonaLive.Web.Live.Portraits.PortraitImages.ToJpegDataUrl(result.Portrait!.Image));
        await StartAsync();
        StateHasChanged();
    }
}
