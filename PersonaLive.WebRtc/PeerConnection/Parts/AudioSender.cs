using System.Net;
using PersonaLive.WebRtc.Rtcp;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Sdp;

namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// The audio sender part: re-packetises relayed Opus packets (RFC 7587) under our own SSRC, sequence
/// numbers and timestamps, protects them through the shared <see cref="SrtpTransport"/> and sends them.
/// Timestamps follow the same convention as the video sender: our RTP time is the capture time on the
/// sender's NTP clock (here at 48 kHz), and our RTCP SR maps the same clock, so a browser that plays
/// both tracks of the stream can line them up (RFC 3550 section 6.4.1). The first packet of a source
/// anchors the mapping and later ones keep the source's exact sample spacing, so rounding never
/// jitters the timestamps. Audio is not retransmitted (Opus carries its own FEC). One lock.
/// </summary>
internal sealed class AudioSender(uint ssrc, SrtpTransport srtp, Action<ReadOnlySpan<byte>, IPEndPoint> transmit)
{
    private readonly object _lock = new();
    private readonly byte[] _buffer = new byte[1500];
    private readonly uint _timestampOffset = (uint)Random.Shared.Next();
    private ushort _sequence = (ushort)Random.Shared.Next(0, 0x8000);
    private volatile int _payloadType = -1;
    private (uint SourceSsrc, uint SourceRtp, uint OurRtp)? _anchor;
    private uint _packetsSent, _octetsSent;
    private bool _closed;

    /// <summary>Our audio SSRC.</summary>
    public uint Ssrc { get; } = ssrc;

    public bool Enabled => _payloadType >= 0;

    public long PacketsSent { get { lock (_lock) { return _packetsSent; } } }

    /// <summary>Sends with this payload type from now on (we send audio).</summary>
    public void Enable(int payloadType) => _payloadType = payloadType;

    /// <summary>Sends one relayed packet; false when not negotiated, not keyed yet, closed, too big or no path.</summary>
    public bool Send(AudioPacket packet, IPEndPoint? target)
    {
        int pt = _payloadType;
        if (pt < 0 || target is null || packet.Payload.Length > 1200)
        {
            return false;
        }

        lock (_lock)
        {
            if (_closed || !srtp.CanSend)
            {
                return false;
            }

            if (_anchor is not { } anchor || anchor.SourceSsrc != packet.Ssrc
                || Math.Abs((int)(packet.RtpTimestamp - anchor.SourceRtp)) > NegotiatedAudio.ClockRate * 60)
            {
                anchor = (packet.Ssrc, packet.RtpTimestamp, _timestampOffset + To48kHz(packet.CaptureNtpTime));
                _anchor = anchor;
            }

            uint timestamp = anchor.OurRtp + (packet.RtpTimestamp - anchor.SourceRtp);
            int n = RtpHeader.Write(_buffer, packet.Marker, (byte)pt, _sequence++, timestamp, Ssrc);
            packet.Payload.CopyTo(_buffer.AsSpan(n));
            n += packet.Payload.Length;
            _packetsSent++;
            _octetsSent += (uint)packet.Payload.Length;
            int length = srtp.Protect(_buffer, n, rtcp: false);
            if (length == 0)
            {
                return false;
            }

            transmit(_buffer.AsSpan(0, length), target);
            return true;
        }
    }

    /// <summary>Our SR sender info (NTP now and the RTP time of now on the same mapping), null before the first packet.</summary>
    public SenderInfo? CurrentSenderInfo()
    {
        lock (_lock)
        {
            if (_packetsSent == 0)
            {
                return null;
            }

            ulong ntp = NtpTime.Now();
            return new SenderInfo(Ssrc, ntp, _timestampOffset + To48kHz(ntp), _packetsSent, _octetsSent);
        }
    }

    /// <summary>Stops sending (any thread, idempotent).</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }
    }

    private static uint To48kHz(ulong ntp) => (uint)(((UInt128)ntp * NegotiatedAudio.ClockRate) >> 32);
}
