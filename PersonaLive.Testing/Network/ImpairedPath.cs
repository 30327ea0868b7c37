using System.Diagnostics;

namespace PersonaLive.TestSupport;

/// <summary>
/// One direction of the lab's wire, in this process: reads each IP packet the sending namespace routed
/// to its TUN device (already paced by the kernel's token bucket on that device: the bottleneck rate and
/// its queue), drops it with the configured random or Gilbert-Elliott loss, holds it for the one-way
/// delay and writes it into the receiving namespace's TUN device. Order is kept (a FIFO: a shorter delay
/// set mid-run waits behind packets already held). Two threads: a reader and a deliverer. This does what
/// <c>tc netem</c> does on a veth end, for kernels built without netem.
/// </summary>
internal sealed class ImpairedPath : IDisposable
{
    private readonly TunDevice _from;
    private readonly TunDevice _to;
    private readonly Queue<(long Due, byte[] Packet)> _held = new();
    private readonly object _lock = new();
    private readonly Thread _reader;
    private readonly Thread _deliverer;
    private readonly ManualResetEventSlim _arrived = new();
    private volatile LinkShape _shape = LinkShape.Open;
    private volatile bool _stop;
    private bool _bad; // Gilbert-Elliott state (reader thread only)
    private long _forwarded, _dropped;

    public ImpairedPath(TunDevice from, TunDevice to, string name)
    {
        _from = from;
        _to = to;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = name + " reader" };
        _deliverer = new Thread(DeliverLoop) { IsBackground = true, Name = name + " deliverer", Priority = ThreadPriority.AboveNormal };
        _reader.Start();
        _deliverer.Start();
    }

    /// <summary>Delay and loss from here on (the rate is the kernel's token bucket).</summary>
    public LinkShape Shape { get => _shape; set => _shape = value; }

    /// <summary>Packets delivered / dropped by the emulated loss so far.</summary>
    public (long Forwarded, long Dropped) Counts => (Interlocked.Read(ref _forwarded), Interlocked.Read(ref _dropped));

    private void ReadLoop()
    {
        var buffer = new byte[65536];
        while (!_stop)
        {
            int n;
            try
            {
                n = _from.Read(buffer, 100);
            }
            catch (IOException) when (_stop)
            {
                return;
            }

            if (n <= 0) continue;
            var shape = _shape;
            if (Lost(shape))
            {
                Interlocked.Increment(ref _dropped);
                continue;
            }

            long due = Stopwatch.GetTimestamp() + shape.DelayMs * Stopwatch.Frequency / 1000;
            lock (_lock) _held.Enqueue((due, buffer.AsSpan(0, n).ToArray()));
            _arrived.Set();
        }
    }

    private bool Lost(LinkShape shape)
    {
        if (shape.LossPercent <= 0) return false;
        double mean = shape.LossPercent / 100;
        if (shape.MeanBurstPackets <= 1) return Random.Shared.NextDouble() < mean;
        double leaveBad = 1 / shape.MeanBurstPackets, enterBad = mean * leaveBad / (1 - mean);
        _bad = _bad ? Random.Shared.NextDouble() >= leaveBad : Random.Shared.NextDouble() < enterBad;
        return _bad;
    }

    private void DeliverLoop()
    {
        while (!_stop)
        {
            (long Due, byte[] Packet) next;
            lock (_lock)
            {
                if (_held.Count == 0)
                {
                    _arrived.Reset();
                    next = default;
                }
                else next = _held.Peek();
            }

            if (next.Packet is null)
            {
                _arrived.Wait(100);
                continue;
            }

            long wait = (next.Due - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
            if (wait > 1)
            {
                Thread.Sleep((int)Math.Min(wait - 1, 50));
                continue;
            }

            while (Stopwatch.GetTimestamp() < next.Due) Thread.Yield(); // the last millisecond: give the core away, do not spin
            lock (_lock) _held.Dequeue();
            try
            {
                _to.Write(next.Packet);
                Interlocked.Increment(ref _forwarded);
            }
            catch (IOException) when (_stop)
            {
                return;
            }
            catch (IOException)
            {
                // The receiving device refused one packet (e.g. not up yet): a loss on the wire.
                Interlocked.Increment(ref _dropped);
            }
        }
    }

    public void Dispose()
    {
        _stop = true;
        _arrived.Set();
        _reader.Join(1000);
        _deliverer.Join(1000);
        _arrived.Dispose();
    }
}
