using System.Buffers.Binary;
using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.WebRtc.Srtp;

/// <summary>
/// One direction of SRTP and SRTCP (RFC 3711, RFC 7714): protects outgoing or unprotects incoming
/// packets in place, tracks the rollover counter per SSRC (RFC 3711 Appendix A) and a 1024-packet replay
/// window. Unauthenticated packets never create per-SSRC state. Not thread-safe: one per direction.
/// </summary>
public sealed class SrtpContext : IDisposable
{
    private const int MaxStreams = 8;
    private readonly SrtpTransform _rtp;
    private readonly SrtpTransform _rtcp;
    private readonly Dictionary<uint, ReplayWindow> _rtpStreams = new();
    private readonly Dictionary<uint, ReplayWindow> _rtcpStreams = new();
    private readonly Dictionary<uint, ulong> _outHighest = new();
    private uint _srtcpIndex;

    internal SrtpContext(SrtpTransform rtp, SrtpTransform rtcp)
    {
        _rtp = rtp;
        _rtcp = rtcp;
        Profile = rtp.Profile;
    }

    public SrtpProfile Profile { get; }

    /// <summary>Creates a context from the master key and salt exported by DTLS (RFC 5764 section 4.2).</summary>
    public static SrtpContext Create(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt) =>
        new(SrtpTransform.FromMaster(profile, masterKey, masterSalt, rtcp: false),
            SrtpTransform.FromMaster(profile, masterKey, masterSalt, rtcp: true));

    /// <summary>Bytes an RTP packet grows by; the caller's buffer must have this much room.</summary>
    public int RtpTrailer => SrtpProfileInfo.RtpTrailerLength(Profile);

    public int RtcpTrailer => SrtpProfileInfo.RtcpTrailerLength(Profile);

    /// <summary>Encrypts and authenticates an RTP packet in place; returns the new length.</summary>
    public int ProtectRtp(Span<byte> buffer, int length)
    {
        if (!RtpHeader.TryParse(buffer[..length], out var header) || buffer.Length < length + RtpTrailer)
        {
            throw new ArgumentException("Not an RTP packet, or no room for the SRTP trailer.", nameof(buffer));
        }

        _outHighest.TryGetValue(header.Ssrc, out ulong highest);
        bool known = _outHighest.ContainsKey(header.Ssrc);
        ulong index = known ? EstimateIndex(highest, header.SequenceNumber) : header.SequenceNumber;
        if (!known || index > highest)
        {
            _outHighest[header.Ssrc] = index;
        }

        return SealRtp(buffer, length, header, index);
    }

    /// <summary>Protects with an explicit rollover counter (test vectors, retransmissions).</summary>
    internal int ProtectRtp(Span<byte> buffer, int length, uint roc)
    {
        if (!RtpHeader.TryParse(buffer[..length], out var header))
        {
            throw new ArgumentException("Not an RTP packet.", nameof(buffer));
        }

        return SealRtp(buffer, length, header, ((ulong)roc << 16) | header.SequenceNumber);
    }

    private int SealRtp(Span<byte> buffer, int length, RtpHeader header, ulong index)
    {
        uint roc = (uint)(index >> 16);
        int headerLength = header.HeaderLength;
        var payload = buffer[headerLength..length];
        if (_rtp.IsGcm)
        {
            Span<byte> iv = stackalloc byte[12];
            _rtp.BuildGcmIv(header.Ssrc, roc, header.SequenceNumber, rtcp: false, iv);
            _rtp.GcmEncrypt(iv, payload, buffer.Slice(length, 16), buffer[..headerLength]);
            return length + 16;
        }

        _rtp.ApplyCounterMode(header.Ssrc, index, payload);
        _rtp.ComputeHmac(buffer[..length], roc, buffer.Slice(length, 10));
        return length + 10;
    }

    /// <summary>Authenticates and decrypts an SRTP packet in place; on success <paramref name="plainLength"/> excludes the tag.</summary>
    public SrtpResult UnprotectRtp(Span<byte> buffer, int length, out int plainLength)
    {
        plainLength = 0;
        int trailer = RtpTrailer;
        if (length < 12 + trailer || !RtpHeader.TryParse(buffer[..(length - trailer)], out var header))
        {
            return SrtpResult.Malformed;
        }

        bool known = _rtpStreams.TryGetValue(header.Ssrc, out var window);
        if (!known && _rtpStreams.Count >= MaxStreams)
        {
            return SrtpResult.TooManyStreams;
        }

        ulong index = known ? EstimateIndex(window!.Highest, header.SequenceNumber) : header.SequenceNumber;
        if (known && !window!.Check(index))
        {
            return SrtpResult.Replayed;
        }

        uint roc = (uint)(index >> 16);
        int headerLength = header.HeaderLength;
        int bodyEnd = length - trailer;
        var payload = buffer[headerLength..bodyEnd];
        if (_rtp.IsGcm)
        {
            Span<byte> iv = stackalloc byte[12];
            _rtp.BuildGcmIv(header.Ssrc, roc, header.SequenceNumber, rtcp: false, iv);
            if (!_rtp.GcmDecrypt(iv, payload, buffer.Slice(bodyEnd, 16), buffer[..headerLength]))
            {
                return SrtpResult.AuthenticationFailed;
            }
        }
        else
        {
            Span<byte> tag = stackalloc byte[10];
            _rtp.ComputeHmac(buffer[..bodyEnd], roc, tag);
            if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(tag, buffer.Slice(bodyEnd, 10)))
            {
                return SrtpResult.AuthenticationFailed;
            }

            _rtp.ApplyCounterMode(header.Ssrc, index, payload);
        }

        if (!known)
        {
            window = new ReplayWindow();
            _rtpStreams[header.Ssrc] = window;
        }

        window!.Mark(index);
        plainLength = bodyEnd;
        return SrtpResult.Ok;
    }

    /// <summary>Encrypts and authenticates a compound RTCP packet in place (E=1); returns the new length.</summary>
    public int ProtectRtcp(Span<byte> buffer, int length)
    {
        if (length < 8 || buffer.Length < length + RtcpTrailer)
        {
            throw new ArgumentException("Not an RTCP packet, or no room for the SRTCP trailer.", nameof(buffer));
        }

        uint index = _srtcpIndex;
        _srtcpIndex = (_srtcpIndex + 1) & 0x7FFFFFFF;
        return SealRtcp(buffer, length, index);
    }

    internal int ProtectRtcp(Span<byte> buffer, int length, uint index) => SealRtcp(buffer, length, index);

    private int SealRtcp(Span<byte> buffer, int length, uint index)
    {
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        uint eIndex = 0x80000000u | index;
        if (_rtcp.IsGcm)
        {
            Span<byte> iv = stackalloc byte[12];
            Span<byte> aad = stackalloc byte[12];
            _rtcp.BuildGcmIv(ssrc, index, 0, rtcp: true, iv);
            buffer[..8].CopyTo(aad);
            BinaryPrimitives.WriteUInt32BigEndian(aad[8..], eIndex);
            _rtcp.GcmEncrypt(iv, buffer[8..length], buffer.Slice(length, 16), aad);
            BinaryPrimitives.WriteUInt32BigEndian(buffer[(length + 16)..], eIndex);
            return length + 20;
        }

        _rtcp.ApplyCounterMode(ssrc, index, buffer[8..length]);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[length..], eIndex);
        _rtcp.ComputeHmac(buffer[..(length + 4)], null, buffer.Slice(length + 4, 10));
        return length + 14;
    }

    /// <summary>Authenticates and decrypts an SRTCP packet in place.</summary>
    public SrtpResult UnprotectRtcp(Span<byte> buffer, int length, out int plainLength)
    {
        plainLength = 0;
        int trailer = RtcpTrailer;
        if (length < 8 + trailer)
        {
            return SrtpResult.Malformed;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(buffer[4..]);
        int bodyEnd = length - trailer;
        int indexOffset = _rtcp.IsGcm ? length - 4 : bodyEnd;
        uint eIndex = BinaryPrimitives.ReadUInt32BigEndian(buffer[indexOffset..]);
        uint index = eIndex & 0x7FFFFFFF;
        bool encrypted = (eIndex & 0x80000000u) != 0;
        bool known = _rtcpStreams.TryGetValue(ssrc, out var window);
        if (!known && _rtcpStreams.Count >= MaxStreams)
        {
            return SrtpResult.TooManyStreams;
        }

        if (known && !window!.Check(index))
        {
            return SrtpResult.Replayed;
        }

        if (_rtcp.IsGcm)
        {
            Span<byte> iv = stackalloc byte[12];
            _rtcp.BuildGcmIv(ssrc, index, 0, rtcp: true, iv);
            var tag = buffer.Slice(bodyEnd, 16);
            if (encrypted)
            {
                Span<byte> aad = stackalloc byte[12];
                buffer[..8].CopyTo(aad);
                BinaryPrimitives.WriteUInt32BigEndian(aad[8..], eIndex);
                if (!_rtcp.GcmDecrypt(iv, buffer[8..bodyEnd], tag, aad))
                {
                    return SrtpResult.AuthenticationFailed;
                }
            }
            else
            {
                // E=0: the whole packet plus the index word is associated data (RFC 7714 section 9.3).
                var aad = new byte[bodyEnd + 4];
                buffer[..bodyEnd].CopyTo(aad);
                BinaryPrimitives.WriteUInt32BigEndian(aad.AsSpan(bodyEnd), eIndex);
                if (!_rtcp.GcmDecrypt(iv, Span<byte>.Empty, tag, aad))
                {
                    return SrtpResult.AuthenticationFailed;
                }
            }
        }
        else
        {
            Span<byte> tag = stackalloc byte[10];
            _rtcp.ComputeHmac(buffer[..(bodyEnd + 4)], null, tag);
            if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(tag, buffer.Slice(bodyEnd + 4, 10)))
            {
                return SrtpResult.AuthenticationFailed;
            }

            if (encrypted)
            {
                _rtcp.ApplyCounterMode(ssrc, index, buffer[8..bodyEnd]);
            }
        }

        if (!known)
        {
            window = new ReplayWindow();
            _rtcpStreams[ssrc] = window;
        }

        window!.Mark(index);
        plainLength = bodyEnd;
        return SrtpResult.Ok;
    }

    /// <summary>
    /// Guesses the 48-bit index of <paramref name="seq"/> from the highest index seen (RFC 3711 Appendix A).
    /// </summary>
    internal static ulong EstimateIndex(ulong highest, ushort seq)
    {
        long roc = (long)(highest >> 16);
        int sl = (int)(highest & 0xFFFF);
        long v = roc;
        if (sl < 32768)
        {
            if (seq - sl > 32768)
            {
                v = roc - 1;
            }
        }
        else if (sl - 32768 > seq)
        {
            v = roc + 1;
        }

        if (v < 0)
        {
            v = 0;
        }

        return ((ulong)v << 16) | seq;
    }

    public void Dispose()
    {
        _rtp.Dispose();
        _rtcp.Dispose();
    }
}
