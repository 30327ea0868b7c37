using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.Vpx;
using PersonaLive.WebRtc.PeerConnection;
using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.Web.Live.Media.Rtc;

/// <summary>
/// The VP8 encoder of a host session whose publisher only sends (a WHIP client offers sendonly, RFC 9725
/// section 4.2, so our answer is recvonly and the peer connection has no sender to encode for): the
/// animated output is still encoded here, once, so share-link and WHEP viewers get it through the usual
/// encoded-frame fan-out. Bitrate is fixed at <see cref="RtcOptions.StartOutgoingBitrateKbps"/>: there is
/// no receiver report on this peer to adapt to. Not thread-safe: the session's sender loop is its only caller.
/// </summary>
internal sealed class ReceiveOnlyOutputEncoder(RtcOptions options) : IDisposable
{
    private VpxEncoder? _encoder;
    private volatile bool _forceKeyframe = true;

    /// <summary>The next encoded frame is a keyframe (a viewer joined or asked with PLI/FIR).</summary>
    public void ForceKeyframe() => _forceKeyframe = true;

    /// <summary>Encodes one output picture; returns the encoded frames with the 90 kHz RTP timestamp derived from the capture time.</summary>
    public (IReadOnlyList<EncodedFrame> Frames, uint RtpTimestamp) Encode(I420Frame frame, ulong captureNtpTime)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (_encoder is null || _encoder.Width != frame.Width || _encoder.Height != frame.Height)
        {
            _encoder?.Dispose();
            _encoder = new VpxEncoder(new VpxEncoderOptions
            {
                Width = frame.Width,
                Height = frame.Height,
                BitrateKbps = options.StartOutgoingBitrateKbps,
                MinBitrateKbps = options.MinOutgoingBitrateKbps,
                MaxBitrateKbps = options.MaxOutgoingBitrateKbps,
                CpuUsed = options.EncoderCpuUsed,
                Threads = frame.Width * frame.Height >= 640 * 480 ? 2 : 1,
            });
            _forceKeyframe = true;
        }

        bool key = _forceKeyframe;
        _forceKeyframe = false;
        var pts = NtpTime.To90kHz(captureNtpTime);
        return (_encoder.Encode(frame, (long)pts, key), (uint)pts);
    }

    public void Dispose() => _encoder?.Dispose();
}
