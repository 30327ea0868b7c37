using Microsoft.Extensions.Logging;
using PersonaLive.WebRtc.Codecs.Vpx;
using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.WebRtc.PeerConnection;

public sealed partial class RtcPeerConnection
{
    /// <summary>
    /// The decode worker: owns the libvpx decoder (contexts are not thread-safe), skips inter frames
    /// until a keyframe after any drop or decode error, maps RTP timestamps to the sender's NTP capture
    /// time through its last SR, and raises <see cref="FrameDecoded"/> in order.
    /// </summary>
    private async Task DecodeLoop()
    {
        using var decoder = new VpxDecoder();
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
}
