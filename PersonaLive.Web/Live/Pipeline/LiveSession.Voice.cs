using PersonaLive.Web.Live.Voice;

namespace PersonaLive.Web.Live.Pipeline;

/// <summary>The session's voice: the host's microphone packets, held back by the video's delay, to the Studio output and the viewers.</summary>
internal sealed partial class LiveSession
{
    private readonly VoiceRelay _voice;

    private VoiceRelay StartVoice()
    {
        var relay = new VoiceRelay(() => VoiceDelay, VoiceTargets, _time, _log);
        _host.VoiceReceived += relay.Push;
        return relay;
    }

    private async ValueTask StopVoiceAsync()
    {
        _host.VoiceReceived -= _voice.Push;
        await _voice.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// How long the voice waits at least so it leaves with the face it goes with: the video's server latency
    /// as it is in its faster frames (10th percentile of camera frame in to animated frame out, which includes
    /// the engine's pipeline delay); before the first measurement, the engine's declared pipeline delay at
    /// 25 frames per second. A packet whose face is slower waits for it (<see cref="VoiceRelay.VideoLeft"/>).
    /// </summary>
    public TimeSpan VoiceDelay => TimeSpan.FromMilliseconds(Latency.ServerP10Ms ?? _engine.PipelineDelayFrames * 40.0);

    /// <summary>Whether the host sends its microphone (a publish of this session should carry voice).</summary>
    public bool HasVoice => _host.ReceivesVoice;

    /// <summary>Voice packets relayed to the Studio's output and the viewers.</summary>
    public long VoicePacketsRelayed => _voice.Relayed;

    private IEnumerable<Action<VoicePacket>> VoiceTargets()
    {
        // The Studio's own output gets the voice too (its player starts muted: no echo).
        yield return _host.SendVoice;
        foreach (var viewer in _viewers.Values)
        {
            yield return viewer.SendVoice;
        }
    }
}
