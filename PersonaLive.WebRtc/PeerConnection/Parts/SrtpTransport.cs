using PersonaLive.WebRtc.Dtls;
using PersonaLive.WebRtc.Srtp;
using PersonaLive.WebRtc.Transport;

namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// The SRTP part of a peer connection: the inbound and outbound contexts keyed from DTLS-SRTP
/// (RFC 5764 section 4.2), each behind its own lock so the receive path (socket thread) and the send
/// path (caller, executor) never wait for each other, and so <see cref="Dispose"/> from any thread
/// cannot free a context another thread is using. Media that arrives before the keys is kept (a
/// bounded number of datagrams) and handed back by <see cref="Start"/>. Drop counters are atomic.
/// </summary>
internal sealed class SrtpTransport : IDisposable
{
    private const int MaxEarlyPackets = 64;
    private readonly object _inboundLock = new();
    private readonly object _outboundLock = new();
    private readonly Queue<(PacketKind Kind, byte[] Data)> _early = new();
    private SrtpContext? _inbound;
    private SrtpContext? _outbound;
    private bool _disposed;
    private long _unauthenticated, _replayed, _malformed, _bytesSent;
    private volatile string? _profileName;

    public string? ProfileName => _profileName;

    /// <summary>Whether keys are installed (and not yet disposed) for sending.</summary>
    public bool CanSend => Volatile.Read(ref _outbound) is not null;

    public long DroppedUnauthenticated => Interlocked.Read(ref _unauthenticated);

    public long DroppedReplayed => Interlocked.Read(ref _replayed);

    public long DroppedMalformed => Interlocked.Read(ref _malformed);

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Installs the keys; returns the datagrams that arrived before them, oldest first.</summary>
    public List<(PacketKind Kind, byte[] Data)> Start(SrtpKeyingMaterial keys)
    {
        lock (_outboundLock)
        {
            if (!_disposed)
            {
                _outbound = keys.CreateOutbound();
            }
        }

        lock (_inboundLock)
        {
            var early = new List<(PacketKind, byte[])>(_early);
            _early.Clear();
            if (!_disposed)
            {
                _inbound = keys.CreateInbound();
                _profileName = keys.Profile.ToString();
            }

            return early;
        }
    }

    /// <summary>
    /// Authenticates and decrypts one SRTP or SRTCP packet in place. <see cref="SrtpResult.Ok"/> gives the
    /// plain length; before the keys the datagram is kept for <see cref="Start"/> and false is returned.
    /// </summary>
    public bool TryUnprotect(PacketKind kind, Span<byte> buffer, out int plainLength)
    {
        plainLength = 0;
        SrtpResult result;
        lock (_inboundLock)
        {
            if (_inbound is null)
            {
                if (!_disposed && _early.Count < MaxEarlyPackets)
                {
                    _early.Enqueue((kind, buffer.ToArray()));
                }

                return false;
            }

            result = kind == PacketKind.Rtp
                ? _inbound.UnprotectRtp(buffer, buffer.Length, out plainLength)
                : _inbound.UnprotectRtcp(buffer, buffer.Length, out plainLength);
        }

        switch (result)
        {
            case SrtpResult.Ok:
                return true;
            case SrtpResult.Replayed:
                Interlocked.Increment(ref _replayed);
                return false;
            case SrtpResult.AuthenticationFailed:
                Interlocked.Increment(ref _unauthenticated);
                return false;
            default:
                Interlocked.Increment(ref _malformed);
                return false;
        }
    }

    /// <summary>Protects an RTP (or RTCP) packet in place; returns the protected length, 0 without keys.</summary>
    public int Protect(Span<byte> buffer, int length, bool rtcp)
    {
        lock (_outboundLock)
        {
            if (_outbound is null)
            {
                return 0;
            }

            int n = rtcp ? _outbound.ProtectRtcp(buffer, length) : _outbound.ProtectRtp(buffer, length);
            Interlocked.Add(ref _bytesSent, n);
            return n;
        }
    }

    public void Dispose()
    {
        lock (_outboundLock)
        {
            _disposed = true;
            _outbound?.Dispose();
            _outbound = null;
        }

        lock (_inboundLock)
        {
            _disposed = true;
            _inbound?.Dispose();
            _inbound = null;
            _early.Clear();
        }
    }
}
