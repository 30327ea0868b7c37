using System.Collections.Concurrent;
using Org.BouncyCastle.Tls;

namespace PersonaLive.WebRtc.Dtls;

/// <summary>
/// BouncyCastle's <see cref="DatagramTransport"/> over our shared socket: received DTLS datagrams are
/// queued (bounded, 64; extra ones are dropped) by the receive loop and taken by the blocking
/// handshake thread; sends go to the session's current ICE-selected address. Closing unblocks a waiting
/// reader with an <see cref="IOException"/> so the handshake thread exits promptly. After the handshake
/// (<see cref="StopBlocking"/>) a read never waits: it takes a queued datagram or reports none, so
/// records are processed on whatever thread drives the session and no thread sits in a read.
/// </summary>
internal sealed class DtlsDatagramChannel : DatagramTransport
{
    private const int QueueCapacity = 64;
    private readonly BlockingCollection<byte[]> _queue = new(new ConcurrentQueue<byte[]>(), QueueCapacity);
    private readonly CancellationTokenSource _closed = new();
    private readonly Action<ReadOnlyMemory<byte>> _send;
    private volatile bool _nonBlocking;

    public DtlsDatagramChannel(Action<ReadOnlyMemory<byte>> send) => _send = send;

    public long Dropped { get; private set; }

    /// <summary>Whether a datagram is waiting to be read.</summary>
    public bool HasPending => _queue.Count > 0;

    /// <summary>From now on reads never wait (the handshake is over).</summary>
    public void StopBlocking() => _nonBlocking = true;

    /// <summary>Called by the socket loop; never blocks.</summary>
    public void Enqueue(ReadOnlySpan<byte> datagram)
    {
        if (_closed.IsCancellationRequested || !_queue.TryAdd(datagram.ToArray()))
        {
            Dropped++;
        }
    }

    public int GetReceiveLimit() => 2048;

    public int GetSendLimit() => 1200;

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    public int Receive(Span<byte> buffer, int waitMillis)
    {
        byte[]? item;
        try
        {
            // waitMillis == 0 means "wait forever" for BouncyCastle; the close token bounds it.
            int wait = _nonBlocking ? 0 : waitMillis <= 0 ? Timeout.Infinite : waitMillis;
            if (!_queue.TryTake(out item, wait, _closed.Token))
            {
                return -1;
            }
        }
        catch (OperationCanceledException)
        {
            throw new IOException("DTLS transport closed.");
        }

        int n = Math.Min(item.Length, buffer.Length);
        item.AsSpan(0, n).CopyTo(buffer);
        return n;
    }

    public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

    public void Send(ReadOnlySpan<byte> buffer)
    {
        if (_closed.IsCancellationRequested)
        {
            throw new IOException("DTLS transport closed.");
        }

        _send(buffer.ToArray());
    }

    public void Close()
    {
        if (!_closed.IsCancellationRequested)
        {
            _closed.Cancel();
        }
    }
}
