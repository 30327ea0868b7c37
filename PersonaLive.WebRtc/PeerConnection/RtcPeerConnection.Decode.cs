using Microsoft.Extensions.Logging;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.Codecs.Vpx;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Sdp;

namespace PersonaLive.WebRtc.PeerConnection;

public sealed partial class RtcPeerConnection
{
    /// <summary>The codec seam: depacketiser and packetiser of the negotiated codec (VP8 until negotiated).</summary>
    private void UseCodec(NegotiatedVideo video)
    {
        _assembler = VideoCodecFactory.CreateDepacketiser(video, _options.FrameLossTimeoutMs);
        _packetizer = VideoCodecFactory.CreatePacketiser(video);
    }

    /// <summary>
    /// The decode worker: owns the libvpx decoder (contexts are not thread-safe), skips inter frames
    /// until a keyframe after any drop or decode error, maps RTP timestamps to the sender's NTP capture
    /// time through its last SR, and raises <see cref="FrameDecoded"/> in order. With
    /// <see cref="RtcOptions.DecodeIncomingVideo"/> off it creates no decoder and only counts and raises
    /// <see cref="FrameAssembled"/>; the keyframe gating (and so the PLIs it causes) stays the same.
    /// </summary>
    private async Task DecodeLoop()
    {
        using var decoder = _options.DecodeIncomingVideo ? VideoCodecFactory.CreateDecoder(_video?.Codec ?? VideoCodec.Vp8) : null;
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
