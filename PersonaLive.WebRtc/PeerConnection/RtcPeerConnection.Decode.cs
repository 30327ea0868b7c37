using Microsoft.Extensions.Logging;
using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.Codecs.Vpx;
using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.WebRtc.PeerConnection;

public sealed partial class RtcPeerConnection
{
    /// <summary>
    /// The decode worker: owns the libvpx decoder (contexts are not thread-safe), skips inter frames
    /// until a keyframe after any drop or decode error, refuses keyframes without a start code or larger
    /// than <see cref="MaxDecodePixels"/>, maps RTP timestamps to the sender's NTP capture
    /// time through its last SR, and raises <see cref="FrameDecoded"/> in order. With
    /// <see cref="RtcOptions.DecodeIncomingVideo"/> off it creates no decoder and only counts and raises
    /// <see cref="FrameAssembled"/>; the keyframe gating (and so the PLIs it causes) stays the same.
    /// </summary>
    private async Task DecodeLoop()
    {
        using var decoder = _options.DecodeIncomingVideo ? new VpxDecoder() : null;
        DecoderCreated = decoder is not null;
        bool waitKeyframe = true;
        await foreach (var frame in _decodeQueue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (_decoderNeedsKeyframe)
            {
                _decoderNeedsKeyframe = false;
                waitKeyframe = true;
                _assembler.KeyframeNeeded = true;
            }

            if (waitKeyframe && !frame.IsKeyframe)
            {
                Interlocked.Increment(ref _decoderSkipped);
                continue;
            }

            Interlocked.Increment(ref _framesAssembled);
            RaiseFrameAssembled(frame);
            if (decoder is null)
            {
                waitKeyframe = false;
                continue;
            }

            if (frame.IsKeyframe && !IsDecodableKeyframe(frame.Data))
            {
                // an authenticated peer could otherwise make libvpx allocate and decode 16383x16383 garbage
                waitKeyframe = true;
                _assembler.KeyframeNeeded = true;
                Interlocked.Increment(ref _decoderSkipped);
                continue;
            }

            if (!decoder.TryDecode(frame.Data, out var picture) || picture is null)
            {
                waitKeyframe = true;
                _assembler.KeyframeNeeded = true;
                Interlocked.Increment(ref _decoderSkipped);
                continue;
            }

            waitKeyframe = false;
            Interlocked.Increment(ref _framesDecoded);
            if (frame.IsKeyframe)
            {
                Interlocked.Increment(ref _keyframesDecoded);
            }

            ulong? capture = null;
            if (_remoteClock is (ulong ntp, uint rtp))
            {
                capture = NtpTime.Add90kHz(ntp, (int)(frame.RtpTimestamp - rtp));
            }

            try
            {
                FrameDecoded?.Invoke(this, new DecodedVideoFrame(picture, frame.RtpTimestamp, capture));
            }
            catch (Exception e)
            {
                _logger.LogError(e, "FrameDecoded handler threw");
            }
        }

        lock (_receiveLock)
        {
            _inbound?.Dispose();
            _inbound = null;
        }
    }

    /// <summary>Largest keyframe we decode: 4096x2304 pixels, above any camera a browser sends.</summary>
    internal const int MaxDecodePixels = 4096 * 2304;

    /// <summary>A keyframe header (RFC 6386 section 9.1) with a start code and a size we are willing to decode.</summary>
    internal static bool IsDecodableKeyframe(ReadOnlySpan<byte> frame) =>
        Vp8PayloadDescriptor.TryReadKeyframeSize(frame, out int width, out int height)
        && width > 0 && height > 0 && width * height <= MaxDecodePixels;

    private void RaiseFrameAssembled(AssembledFrame frame)
    {
        try
        {
            FrameAssembled?.Invoke(this, frame);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "FrameAssembled handler threw");
        }
    }
}
