using PersonaLive.Media;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.Web.Live.Media.Rtc;

/// <summary>
/// The video encoder of a host session whose publisher only sends (a WHIP client offers sendonly, RFC 9725
/// section 4.2, so our answer is recvonly and the peer connection has no sender to encode for): the
/// animated output is still encoded here, once, so share-link and WHEP viewers get it through the usual
/// encoded-frame fan-out. It goes through the same codec seam as the peer connection's sender
/// (<see cref="IVideoEncoder"/>, VP8 today), encoding into the encoder's reused buffer: no allocation
/// per frame. Bitrate is fixed at <see cref="RtcOptions.StartOutgoingBitrateKbps"/>: there is no
/// receiver report on this peer to adapt to. Not thread-safe: the session's sender loop is its only
/// caller (<see cref="ForceKeyframe"/> may come from any thread).
/// </summary>
internal sealed class ReceiveOnlyOutputEncoder(RtcOptions options, IVideoCodec? codec = null) : IDisposable
{
    private readonly IVideoCodec _codec = codec ?? Vp8VideoCodec.Instance;
    private IVideoEncoder? _encoder;
    private volatile bool _forceKeyframe = true;

    /// <summary>The next encoded frame is a keyframe (a viewer joined or asked with PLI/FIR).</summary>
    public void ForceKeyframe() => _forceKeyframe = true;

    /// <summary>
    /// Encodes one output picture. <paramref name="data"/> is the encoder's reused buffer, valid until the
    /// next call; <paramref name="rtpTimestamp"/> is the 90 kHz timestamp derived from the capture time.
    /// False when the codec produced no frame.
    /// </summary>
    public bool TryEncode(I420Frame frame, ulong captureNtpTime, out ReadOnlyMemory<byte> data, out bool isKeyframe, out uint rtpTimestamp)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (_encoder is null || _encoder.Width != frame.Width || _encoder.Height != frame.Height)
        {
            _encoder?.Dispose();
            _encoder = null;
            _encoder = _codec.CreateEncoder(new VideoEncoderSettings(frame.Width, frame.Height, options.StartOutgoingBitrateKbps,
                options.MinOutgoingBitrateKbps, options.MaxOutgoingBitrateKbps, options.EncoderCpuUsed,
                frame.Width * frame.Height >= 640 * 480 ? 2 : 1));
            _forceKeyframe = true;
        }

        bool key = _forceKeyframe;
        _forceKeyframe = false;
        var pts = NtpTime.To90kHz(captureNtpTime);
        rtpTimestamp = (uint)pts;
        return _encoder.TryEncode(frame, (long)pts, key, out data, out isKeyframe);
    }

    public void Dispose() => _encoder?.Dispose();
}
