using System.Net;
using System.Net.Sockets;
using PersonaLive.WebRtc.Transport;

namespace PersonaLive.WebRtc.Benchmarks;

/// <summary>
/// An in-process UDP relay on 127.0.0.1 that drops a fraction of datagrams in both directions, to
/// exercise retransmission and keyframe recovery (loopback tests and the loopback benchmark). The client
/// talks to <see cref="ClientFacing"/>; the server sees the relay's second socket as the peer.
/// </summary>
public sealed class LossyUdpRelay : IDisposable
{
    private readonly Socket _clientSide = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _serverSide = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _server;
    private double _lossRate;
    private readonly double _duplicateRate;
    private readonly Random _random;
    private long _rtpToClient;
    private readonly Thread _up;
    private readonly Thread _down;
    private volatile IPEndPoint? _client;
    private volatile bool _disposed;
    private long _forwarded, _dropped, _duplicated;

    /// <summary>Relays to <paramref name="server"/>, dropping <paramref name="lossRate"/> (and duplicating <paramref name="duplicateRate"/>)
    /// of the datagrams both ways with a seeded <paramref name="seed"/> choice; listens on <paramref name="bindAddress"/>
    /// (default loopback; a test network's host address for a browser in a namespace).</summary>
    public LossyUdpRelay(IPEndPoint server, double lossRate, int seed = 12345, double duplicateRate = 0, IPAddress? bindAddress = null)
    {
        _server = server;
        _lossRate = lossRate;
        _duplicateRate = duplicateRate;
        _random = new Random(seed);
        _clientSide.Bind(new IPEndPoint(bindAddress ?? IPAddress.Loopback, 0));
        _serverSide.Bind(new IPEndPoint(bindAddress ?? IPAddress.Loopback, 0));
        ClientFacing = (IPEndPoint)_clientSide.LocalEndPoint!;
        _up = new Thread(() => Pump(_clientSide, toServer: true)) { IsBackground = true, Name = "relay-up" };
        _down = new Thread(() => Pump(_serverSide, toServer: false)) { IsBackground = true, Name = "relay-down" };
        _up.Start();
        _down.Start();
    }

    /// <summary>Address the client must send to (put it into the answer's candidate).</summary>
    public IPEndPoint ClientFacing { get; }

    public long Forwarded => Interlocked.Read(ref _forwarded);

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Fraction of datagrams dropped in each direction (changeable while running).</summary>
    public double LossRate
    {
        get { lock (_random) { return _lossRate; } }
        set { lock (_random) { _lossRate = value; } }
    }

    /// <summary>When set, every datagram is dropped (a peer that vanished without a goodbye).</summary>
    public bool Blackhole { get; set; }

    /// <summary>
    /// When set, STUN from the client toward the server is dropped (first byte 0..3, RFC 7983) while its
    /// DTLS and SRTP pass: a peer that keeps sending media but no consent checks.
    /// </summary>
    public bool DropClientStun { get; set; }

    public long Duplicated => Interlocked.Read(ref _duplicated);

    /// <summary>
    /// When above 0, every n-th RTP packet toward the client is dropped besides <see cref="LossRate"/>
    /// (RTP as the media port tells it, <see cref="PacketClassifier"/>), so a
    /// short test sees losses for certain rather than with high probability.
    /// </summary>
    public int DropEveryNthRtpToClient { get; set; }

    /// <summary>Sends a datagram to the server from the relay's server-facing socket, i.e. from the client's authenticated address.</summary>
    public void InjectToServer(ReadOnlySpan<byte> datagram) => _serverSide.SendTo(datagram, SocketFlags.None, _server);

    private void Pump(Socket socket, bool toServer)
    {
        var buffer = new byte[2048];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (!_disposed)
        {
            int n;
            try
            {
                n = socket.ReceiveFrom(buffer, ref from);
            }
            catch (SocketException)
            {
                if (_disposed)
                {
                    return;
                }

                continue;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            if (toServer)
            {
                _client = (IPEndPoint)from;
            }

            bool drop, duplicate;
            lock (_random)
            {
                drop = _random.NextDouble() < _lossRate || Blackhole || (toServer && DropClientStun && n > 0 && buffer[0] < 4)
                    || (!toServer && DropEveryNthRtpToClient > 0 && PacketClassifier.Classify(buffer.AsSpan(0, n)) == PacketKind.Rtp && ++_rtpToClient % DropEveryNthRtpToClient == 0);
                duplicate = _random.NextDouble() < _duplicateRate;
            }

            if (drop)
            {
                Interlocked.Increment(ref _dropped);
                continue;
            }

            var target = toServer ? _server : _client;
            if (target is null)
            {
                continue;
            }

            try
            {
                (toServer ? _serverSide : _clientSide).SendTo(buffer.AsSpan(0, n), SocketFlags.None, target);
                Interlocked.Increment(ref _forwarded);
                if (duplicate)
                {
                    (toServer ? _serverSide : _clientSide).SendTo(buffer.AsSpan(0, n), SocketFlags.None, target);
                    Interlocked.Increment(ref _duplicated);
                }
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _clientSide.Dispose();
        _serverSide.Dispose();
        _up.Join(TimeSpan.FromSeconds(1));
        _down.Join(TimeSpan.FromSeconds(1));
    }
}
