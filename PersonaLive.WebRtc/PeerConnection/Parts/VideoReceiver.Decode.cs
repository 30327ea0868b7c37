using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.WebRtc.PeerConnection;

internal sealed partial class VideoReceiver
{
    private long _framesDecoded, _keyframesDecoded, _framesAssembled;
    private Task? _decodeTask;

    /// <summary>Whether the decode worker created a decoder (tests check the opt-out).</summary>
    public bool DecoderCreated { get; private set; }

    /// <summary>The decode worker; completes after <see cref="Stop"/>.</summary>
    public Task Completion => _decodeTask ?? Task.CompletedTask;

    /// <summary>
    /// Starts the decode worker on the thread pool (no dedicated thread). It raises
    /// <paramref name="assembled"/> and <paramref name="decoded"/> in frame order; both callbacks must not throw
    /// (the connection isolates its subscribers).
    /// </summary>
    public void StartDecoding(Action<AssembledFrame> assembled, Action<DecodedVideoFrame> decoded)
    {
        _decodeTask ??= Task.Run(() => DecodeLoop(assembled, decoded));
    }

    /// <summary>Ends the decode worker after the frames already queued (any thread, idempotent).</summary>
    public void Stop() => _decodeQueue.Writer.TryComplete();

    /// <summary>
    /// Skips inter frames until a keyframe after any drop or decode error, maps RTP timestamps to the
    /// sender's NTP capture time through its last SR. With <see cref="RtcOptions.DecodeIncomingVideo"/>
    /// off no decoder is created; the keyframe gating (and so the PLIs it causes) stays the same.
    /// </summary>
    private async Task DecodeLoop(Action<AssembledFrame> assembled, Action<DecodedVideoFrame> decoded)
    {
        IVideoCodec codec;
        lock (_lock)
        {
            codec = _codec;
        }

        using var decoder = _options.DecodeIncomingVideo ? codec.CreateDecoder() : null;
        DecoderCreated = decoder is not null;
        bool waitKeyframe = true;
        await foreach (var frame in _decodeQueue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (_decoderNeedsKeyframe)
            {
                _decoderNeedsKeyframe = false;
                waitKeyframe = true;
                RequestKeyframe();
            }

            if (waitKeyframe && !frame.IsKeyframe)
            {
                Interlocked.Increment(ref _skipped);
                continue;
            }

            Interlocked.Increment(ref _framesAssembled);
            assembled(frame);
            if (decoder is null)
            {
                waitKeyframe = false;
                continue;
            }

            if (!TryDecode(decoder, frame, out var picture))
            {
                waitKeyframe = true;
                RequestKeyframe();
                Interlocked.Increment(ref _skipped);
                continue;
            }

            waitKeyframe = false;
            Interlocked.Increment(ref _framesDecoded);
            if (frame.IsKeyframe)
            {
                Interlocked.Increment(ref _keyframesDecoded);
            }

            decoded(new DecodedVideoFrame(picture, frame.RtpTimestamp, CaptureTimeOf(frame.RtpTimestamp)));
        }
    }

    private static bool TryDecode(IVideoDecoder decoder, AssembledFrame frame, out I420Frame picture)
    {
        if (decoder.TryDecode(frame.Data, out var p) && p is not null)
        {
            picture = p;
            return true;
        }

        picture = null!;
        return false;
    }

    /// <summary>The sender's NTP capture time of an RTP timestamp, once an SR gave the mapping.</summary>
    private ulong? CaptureTimeOf(uint rtpTimestamp)
    {
        lock (_lock)
        {
            return _remoteClock is (ulong ntp, uint rtp) ? NtpTime.Add90kHz(ntp, (int)(rtpTimestamp - rtp)) : null;
        }
    }
}
