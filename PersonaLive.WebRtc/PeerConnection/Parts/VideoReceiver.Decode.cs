using PersonaLive.Media;
using PersonaLive.WebRtc.Codecs;
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
    /// (the connection isolates its subscribers). Both see pooled data valid during the call only: the
    /// worker releases each assembled frame after decoding it and disposes each picture after
    /// <paramref name="decoded"/> returned (a subscriber that keeps the picture retains it).
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
    /// Every frame taken from the queue is released here, whichever way it leaves the loop.
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
                frame.Release();
                Interlocked.Increment(ref _skipped);
                continue;
            }

            Interlocked.Increment(ref _framesAssembled);
            assembled(frame);
            if (decoder is null)
            {
                frame.Release();
                waitKeyframe = false;
                continue;
            }

            bool ok = TryDecode(decoder, frame, out var picture);
            frame.Release();
            if (!ok)
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

            try
            {
                decoded(new DecodedVideoFrame(picture, frame.RtpTimestamp, CaptureTimeOf(frame.RtpTimestamp)));
            }
            finally
            {
                picture.Dispose(); // back to the pool unless a subscriber retained it
            }
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

    /// <summary>
    /// The sender's capture time of an RTP timestamp (Unix microseconds on its clock), once an SR gave
    /// the NTP/RTP mapping (RFC 3550 section 6.4.1).
    /// </summary>
    private long? CaptureTimeOf(uint rtpTimestamp)
    {
        lock (_lock)
        {
            return _remoteClock is (ulong ntp, uint rtp) ? NtpTime.ToUnixMicros(NtpTime.Add90kHz(ntp, (int)(rtpTimestamp - rtp))) : null;
        }
    }
}
