using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Sdp;

namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// The audio receiver part: takes the remote Opus RTP packets (RFC 7587) off the shared transport and
/// hands them on undecoded, each with the capture time of its first sample on the sender's NTP clock:
/// from the stream's last RTCP SR (RFC 3550 section 6.4.1), or, before the first SR, anchored at the
/// arrival of the first packet. We relay voice rather than decode it, so there is no jitter buffer here.
/// One lock guards the SSRC and the clock; it is taken by the socket thread (<see cref="TryTake"/>) and
/// the executor (<see cref="OnSenderReport"/>).
/// </summary>
internal sealed class AudioReceiver
{
    private readonly object _lock = new();
    private volatile int _payloadType = -1;
    private uint _ssrc;
    private (ulong Ntp, uint Rtp)? _senderClock;
    private (ulong Ntp, uint Rtp)? _arrivalAnchor;
    private long _packets, _bytes, _malformed;

    /// <summary>The remote audio SSRC, 0 before its first packet.</summary>
    public uint RemoteSsrc { get { lock (_lock) { return _ssrc; } } }

    public long PacketsReceived => Interlocked.Read(ref _packets);

    public long BytesReceived => Interlocked.Read(ref _bytes);

    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Accepts RTP of this payload type as audio from now on.</summary>
    public void Enable(int payloadType) => _payloadType = payloadType;

    /// <summary>
    /// Socket thread: when <paramref name="packet"/> is ours (the Opus payload type), returns it as an
    /// <see cref="AudioPacket"/> (or null and counts it when malformed or from a second SSRC) and true;
    /// false when the packet is not audio (the video receiver's then).
    /// </summary>
    public bool TryTake(ReadOnlySpan<byte> packet, ulong arrivalNtp, out AudioPacket? audio)
    {
        audio = null;
        int pt = _payloadType;
        if (pt < 0 || packet.Length < RtpHeader.FixedLength || (packet[1] & 0x7F) != pt)
        {
            return false;
        }

        if (!RtpHeader.TryParse(packet, out var header) || !header.TryGetPayload(packet, out var payload) || payload.IsEmpty)
        {
            Interlocked.Increment(ref _malformed);
            return true;
        }

        ulong capture;
        lock (_lock)
        {
            if (_ssrc == 0)
            {
                _ssrc = header.Ssrc;
            }
            else if (header.Ssrc != _ssrc)
            {
                Interlocked.Increment(ref _malformed); // one microphone track per connection
                return true;
            }

            _arrivalAnchor ??= (arrivalNtp, header.Timestamp);
            var clock = _senderClock ?? _arrivalAnchor.Value;
            capture = AddSamples(clock.Ntp, (int)(header.Timestamp - clock.Rtp));
        }

        Interlocked.Increment(ref _packets);
        Interlocked.Add(ref _bytes, packet.Length);
        audio = new AudioPacket(payload.ToArray(), header.Timestamp, header.SequenceNumber, header.Marker, capture, header.Ssrc);
        return true;
    }

    /// <summary>Executor: an SR about our remote audio stream fixes its RTP-to-NTP mapping; true when it was ours.</summary>
    public bool OnSenderReport(uint ssrc, ulong ntp, uint rtp)
    {
        lock (_lock)
        {
            if (_ssrc == 0 || ssrc != _ssrc)
            {
                return false;
            }

            _senderClock = (ntp, rtp);
            return true;
        }
    }

    /// <summary>An NTP time moved by a signed number of 48 kHz samples.</summary>
    internal static ulong AddSamples(ulong ntp, long samples) =>
        samples >= 0
            ? ntp + (ulong)(((UInt128)(ulong)samples << 32) / NegotiatedAudio.ClockRate)
            : ntp - (ulong)(((UInt128)(ulong)(-samples) << 32) / NegotiatedAudio.ClockRate);
}

/// <summary>
/// One received Opus packet, undecoded (RFC 7587 section 4.2: one Opus packet per RTP payload), with
/// <see cref="CaptureNtpTime"/> = the capture time of its first sample on the sender's NTP clock, which is
/// what lets a relay re-time it against the video captured at the same moment.
/// </summary>
public sealed record AudioPacket(byte[] Payload, uint RtpTimestamp, ushort SequenceNumber, bool Marker, ulong CaptureNtpTime, uint Ssrc);
