namespace PersonaLive.Web.Components.Live;

// Shapes exchanged with wwwroot/js/live.js (System.Text.Json, camelCase on the JS side).

/// <summary>What the browser can do (live.js <c>capabilities()</c>).</summary>
public sealed record BrowserCapabilities(bool Webrtc, bool Camera, bool Rvfc, bool CaptureStream, bool CodecPreferences, bool Vp8)
{
    /// <summary>Live needs WebRTC with VP8 and camera access; the rest only degrades features.</summary>
    public bool CanGoLive => Webrtc && Camera && Vp8;
}

/// <summary>A camera the browser lists.</summary>
public sealed record CameraInfo(string Id, string Label);

/// <summary>Outcome of opening the source and creating the offer; on failure <c>Kind</c> is denied, nocamera, busy, nofile or error.</summary>
public sealed record ClientStartResult(bool Ok, string? OfferSdp, string? Kind, string? Message);

/// <summary>Once-a-second report from the page: rates from getStats and glass-to-glass samples.</summary>
public sealed record ClientStats(
    double? FpsSent,
    double? FpsReceived,
    double? KbpsIn,
    double? KbpsOut,
    long FramesDecoded,
    double? RttMs,
    double[]? LatenciesMs,
    double? FirstFrameMs = null);
