using PersonaLive.Media;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.Web.Live.Media.Rtc;

/// <summary>
/// Encodes a session's animated output in one codec that the host peer connection does not send itself:
/// either because the publisher only sends (a WHIP client offers sendonly, RFC 9725 section 4.2, so our
/// answer is recvonly and there is no sender to encode for), or because a viewer negotiated another codec
/// than the host's (an H.264-only WHEP player of a VP8 Studio session). One encoder per codec in use;
/// its frames go through the usual encoded-frame fan-out to every viewer of that codec, so the bytes are
/// shared; the encoder writes into its reused buffer, so a frame costs no allocation. Bitrate is fixed at <see cref="RtcOptions.StartOutgoingBitrateKbps"/>: there is no single
/// receiver report to adapt to. Not thread-safe: the session's sender loop is its only caller (keyframe
/// requests excepted).
/// </summary>
internal sealed class CodecOutputEncoder(RtcOptions options, IVideoCodec codec) : IDisposable
{
    private IVideoEncoder? _encoder;
    private volatile bool _forceKeyframe = true;

    /// <summary>The rtpmap name of the codec this encoder writes (VP8, H264).</summary>
    public string Codec => codec.Name;

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
            _encoder = codec.CreateEncoder(new VideoEncoderSettings(frame.Width, frame.Height, options.StartOutgoingBitrateKbps,
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
