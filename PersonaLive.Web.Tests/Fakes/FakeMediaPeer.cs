using PersonaLive.Media;
using System.Collections.Concurrent;
using System.Diagnostics;
using PersonaLive.Web.Live.Voice;
using PersonaLive.Web.Live.Media;

namespace PersonaLive.Web.Tests.Fakes;

/// <summary>An in-memory media peer: the test feeds camera frames, the fake records what was sent.</summary>
internal sealed class FakeMediaPeer(MediaPeerRole role, string id) : ILiveMediaPeer
{
    private uint _rtp;
    public string Id { get; } = id;
    public MediaPeerRole Role { get; } = role;
    public MediaPeerState State { get; private set; } = MediaPeerState.New;
    public ConcurrentQueue<(uint Rtp, long CaptureUs, byte FirstLuma)> Sent { get; } = new();
    public ConcurrentQueue<int> EncodedReceived { get; } = new();
    public int KeyframesForced;
    public int KeyframesRequested;
    public bool Disposed { get; private set; }
    public string? Offer { get; private set; }
    public Exception? AnswerFailure { get; set; }

    public event Action<MediaPeerState>? ConnectionStateChanged;
    public event DecodedFrameHandler? FrameDecoded;
    public event EncodedFrameHandler? FrameEncoded;
    public event Action? KeyframeRequested;
    public event Action<VoicePacket>? VoiceReceived;

    /// <summary>Voice packets relayed to this peer, with the <see cref="Stopwatch"/> time they came.</summary>
    public ConcurrentQueue<(VoicePacket Packet, long At)> VoiceSent { get; } = new();

    public string CreateAnswer(string offerSdp)
    {
        if (AnswerFailure is not null) throw AnswerFailure;
        Offer = offerSdp;
        SetState(MediaPeerState.Connecting);
        return "v=0\r\nanswer-for:" + Id;
    }

    public uint SendFrame(I420Frame frame, long captureTimeUs)
    {
        _rtp += 3000;
        Sent.Enqueue((_rtp, captureTimeUs, frame.Y[0]));
        var keyframe = Interlocked.Exchange(ref KeyframesForced, 0) > 0;
        Span<byte> payload = stackalloc byte[100];
        FrameEncoded?.Invoke(new EncodedVideoFrame(payload, keyframe, _rtp, captureTimeUs, frame.Width, frame.Height));
        return _rtp;
    }

    public void SendEncodedFrame(in EncodedVideoFrame frame) => EncodedReceived.Enqueue(frame.Data.Length);
    public void RequestKeyframe() => Interlocked.Increment(ref KeyframesRequested);
    public void ForceKeyframe() => Interlocked.Increment(ref KeyframesForced);
    public MediaPeerStats GetStats() => new(0, 0, 0, Sent.Count, 0, null, 0);

    public void Deliver(I420Frame image, long? captureUs, uint rtp = 0) =>
        FrameDecoded?.Invoke(new DecodedVideoFrame(image, rtp, captureUs));

    public void SendVoice(VoicePacket packet) => VoiceSent.Enqueue((packet, Stopwatch.GetTimestamp()));

    public void RaiseVoice(VoicePacket packet) => VoiceReceived?.Invoke(packet);

    public void RaiseKeyframeRequest() => KeyframeRequested?.Invoke();

    public void SetState(MediaPeerState state)
    {
        State = state;
        ConnectionStateChanged?.Invoke(state);
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        State = MediaPeerState.Closed;
        return ValueTask.CompletedTask;
    }
}

/// <summary>Creates <see cref="FakeMediaPeer"/>s and keeps them for assertions.</summary>
internal sealed class FakeMediaPeerFactory : IMediaPeerFactory
{
    private int _next;
    public ConcurrentQueue<FakeMediaPeer> Created { get; } = new();
    public bool IsAvailable => true;
    public string? UnavailableReason => null;
    public Func<MediaPeerRole, FakeMediaPeer>? Customize { get; set; }

    public ILiveMediaPeer CreatePeer(MediaPeerRole role)
    {
        var peer = Customize?.Invoke(role) ?? new FakeMediaPeer(role, $"peer{Interlocked.Increment(ref _next)}");
        Created.Enqueue(peer);
        return peer;
    }
}
