using System.Buffers.Binary;
using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.Dtls;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Srtp;
using PersonaLive.WebRtc.Transport;

namespace PersonaLive.WebRtc.Diagnostics;

/// <summary>
/// A peer gone hostile after authentication: it holds the sending side's SRTP master keys of a live
/// session (RFC 5764 section 4.2), so everything it emits passes the receiver's SRTP/SRTCP tag check
/// (RFC 3711 section 3.3 and 3.4) and reaches the parsers behind it. It sends valid VP8 frames and,
/// between them, seeded hostile packets: RTP with absurd header-extension lengths, CSRC counts and
/// padding (RFC 3550 section 5.1, RFC 8285), bad VP8 payload descriptors and bitstreams (RFC 7741
/// section 4.2), RTCP compounds with inconsistent lengths (<see cref="HostileRtcp"/>), and DTLS
/// records under the running association (<see cref="HostileDtls"/>): forged ones, and, with the
/// side's exported DTLS write keys, records sealed at epoch 1 that decrypt (a renegotiating
/// ClientHello, HelloRequest, lying fragments, warning alerts). Its own sequence
/// numbers stay one stream, so the receiver's replay window never rejects the honest frames that follow.
/// Packets whose header no RTP parser can delimit cannot be sealed; they carry a random tag instead.
/// </summary>
public sealed class HostileMediaSource : IDisposable
{
    private readonly SrtpContext _srtp;
    private readonly DtlsRecordSealer? _dtls;
    private readonly Vp8Packetizer _packetizer = new(1100);
    private readonly byte[] _scratch = new byte[1600];
    private readonly Random _random;
    private readonly uint _ssrc;
    private readonly uint _receiverSsrc;
    private readonly byte _payloadType;
    private ushort _sequence;
    private uint _timestamp;

    /// <param name="senderKeys">The keying material of the side whose identity we take (its local half sends).</param>
    /// <param name="ssrc">The SSRC we send as (the receiver locks onto the first it sees).</param>
    /// <param name="receiverSsrc">The receiver's own SSRC, the media source feedback and reports name.</param>
    /// <param name="payloadType">The negotiated VP8 payload type.</param>
    /// <param name="seed">Seeds every choice, so a failing run can be replayed.</param>
    public HostileMediaSource(SrtpKeyingMaterial senderKeys, uint ssrc, uint receiverSsrc, byte payloadType, int seed)
    {
        ArgumentNullException.ThrowIfNull(senderKeys);
        _srtp = senderKeys.CreateOutbound();
        _random = new Random(seed);
        // far above the few records the real side sent at epoch 1 (its Finished), inside the receiver's replay window's reach
        _dtls = senderKeys.LocalRecordKeys is { } record ? new DtlsRecordSealer(record, 1000) : null;
        (_ssrc, _receiverSsrc, _payloadType) = (ssrc, receiverSsrc, payloadType);
        _sequence = (ushort)_random.Next(0, 65536);
        _timestamp = (uint)_random.Next();
    }

    /// <summary>Counts of what was produced, by kind, for reports.</summary>
    public long RtpSealed { get; private set; }

    public long RtpUnsealable { get; private set; }

    public long RtcpSealed { get; private set; }

    public long DtlsRecords { get; private set; }

    /// <summary>DTLS datagrams sealed under the epoch-1 keys (they decrypt; counted apart from <see cref="DtlsRecords"/>).</summary>
    public long DtlsSealed { get; private set; }

    /// <summary>One encoded VP8 frame as protected RTP datagrams (valid descriptor, one timestamp).</summary>
    public List<byte[]> Frame(ReadOnlySpan<byte> vp8Frame, uint timestampStep = 3600)
    {
        _timestamp += timestampStep;
        var datagrams = new List<byte[]>();
        _packetizer.Packetize(vp8Frame, _scratch, (payload, marker) =>
        {
            var packet = new byte[12 + payload.Length + _srtp.RtpTrailer];
            int n = RtpHeader.Write(packet, marker, _payloadType, _sequence++, _timestamp, _ssrc);
            payload.CopyTo(packet.AsSpan(n));
            datagrams.Add(Seal(packet, n + payload.Length));
        });
        return datagrams;
    }

    /// <summary>The next hostile datagram (SRTP, SRTCP or DTLS) and its RFC 7983 class.</summary>
    public byte[] Next(out PacketKind kind)
    {
        int pick = _random.Next(100);
        if (pick < 55)
        {
            kind = PacketKind.Rtp;
            return HostileRtp();
        }

        if (pick < 85)
        {
            kind = PacketKind.Rtcp;
            var body = HostileRtcp.Compound(_random, _ssrc, _receiverSsrc);
            var buffer = new byte[body.Length + _srtp.RtcpTrailer];
            body.CopyTo(buffer, 0);
            RtcpSealed++;
            return buffer[.._srtp.ProtectRtcp(buffer, body.Length)];
        }

        kind = PacketKind.Dtls;
        if (_dtls is not null && _random.Next(2) == 0)
        {
            DtlsSealed++;
            return HostileDtls.Sealed(_random, _dtls);
        }

        DtlsRecords++;
        return HostileDtls.Datagram(_random);
    }

    private byte[] HostileRtp()
    {
        var r = _random;
        int cc = r.Next(4) == 0 ? 15 : r.Next(0, 3);
        bool extension = r.Next(2) == 0;
        bool padding = r.Next(4) == 0;
        var payload = HostileVp8.Payload(r);
        int extWords = extension ? r.Next(0, 6) : 0;
        var packet = new byte[12 + 4 * cc + (extension ? 4 + 4 * extWords : 0) + payload.Length + (padding ? 1 : 0) + 16];
        byte pt = r.Next(10) == 0 ? (byte)r.Next(128) : _payloadType;
        _sequence += (ushort)(r.Next(20) == 0 ? r.Next(2, 400) : 1); // gaps make the receiver NACK and time out frames
        _timestamp += r.Next(3) == 0 ? (uint)r.Next() : 0;
        int n = RtpHeader.Write(packet, r.Next(3) == 0, pt, _sequence, _timestamp, r.Next(25) == 0 ? (uint)r.Next() : _ssrc);
        packet[0] = (byte)(0x80 | (padding ? 0x20 : 0) | (extension ? 0x10 : 0) | cc);
        r.NextBytes(packet.AsSpan(n, 4 * cc));
        n += 4 * cc;
        bool absurd = false;
        if (extension)
        {
            ushort profile = r.Next(3) switch { 0 => 0xBEDE, 1 => 0x1000, _ => (ushort)r.Next(65536) };
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(n), profile);
            absurd = r.Next(4) == 0;
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(n + 2), absurd ? (ushort)r.Next(extWords + 1, 65536) : (ushort)extWords);
            r.NextBytes(packet.AsSpan(n + 4, 4 * extWords)); // elements with any ID and length, overrunning or not
            n += 4 + 4 * extWords;
        }

        payload.CopyTo(packet.AsSpan(n));
        n += payload.Length;
        if (padding)
        {
            packet[n++] = (byte)(r.Next(3) switch { 0 => 0, 1 => 255, _ => r.Next(1, payload.Length + 2) });
        }

        if (absurd || !RtpHeader.TryParse(packet.AsSpan(0, n), out _))
        {
            RtpUnsealable++; // the receiver cannot delimit the header either: it drops it as malformed
            r.NextBytes(packet.AsSpan(n, _srtp.RtpTrailer));
            return packet[..(n + _srtp.RtpTrailer)];
        }

        return Seal(packet, n);
    }

    private byte[] Seal(byte[] packet, int length)
    {
        RtpSealed++;
        return packet[.._srtp.ProtectRtp(packet, length)];
    }

    public void Dispose()
    {
        _srtp.Dispose();
        _dtls?.Dispose();
    }
}
