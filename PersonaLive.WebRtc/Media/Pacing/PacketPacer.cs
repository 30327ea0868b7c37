namespace PersonaLive.WebRtc.Media.Pacing;

/// <summary>What the pacer kept of one RTP packet besides its payload: enough to write its header at send time.</summary>
public readonly record struct PacedPacket(ushort Sequence, uint Timestamp, byte PayloadType, bool Marker, long EnqueuedUs);

/// <summary>Receives one packet the pacer releases; the payload is the pacer's slot, valid during the call only.</summary>
public delegate void PacedPacketSink(ReadOnlySpan<byte> payload, in PacedPacket packet);

/// <summary>
/// Spreads our RTP packets over time instead of bursting a whole frame onto the path at once
/// (draft-ietf-rmcat-gcc-02 section 4 assumes a paced sender: a burst makes its own queue at the
/// bottleneck, which the delay-based estimator would read as congestion). Packets wait in a FIFO of
/// preallocated slots and leave at <see cref="PacingFactor"/> times the target bitrate, through a byte
/// budget that refills with time. Across an idle gap it keeps at most <see cref="MaxBurstUs"/> worth of
/// sending, so a frame that arrives on an idle path starts at once; while packets wait, a late drain
/// gets the whole time since the last one, so a late timer does not lower the rate. A queue whose oldest packet waited longer than the
/// queue-delay limit is dropped whole and <see cref="Drain"/> says a keyframe is needed: after a rate
/// collapse one fresh keyframe is cheaper than seconds of stale video. Pure: the caller supplies the
/// clock and calls <see cref="Drain"/> from its timer; no allocation per packet; not thread-safe
/// (the sender calls it under its send lock).
/// </summary>
public sealed class PacketPacer
{
    /// <summary>Largest payload a slot holds (the packetisers cut at 1100 bytes).</summary>
    public const int SlotSize = 1280;

    /// <summary>Budget carried over an idle gap: this much sending at the pacing rate goes out at once.</summary>
    public const long MaxBurstUs = 5_000;

    private readonly byte[] _slots;
    private readonly int[] _lengths;
    private readonly PacedPacket[] _packets;
    private readonly long _maxQueueDelayUs;
    private int _head, _count, _queuedBytes;
    private double _budgetBytes;
    private long _lastUs = long.MinValue;
    private double _bytesPerUs;
    private bool _backlogged; // packets were left waiting at the last drain: the time until the next is owed to them

    /// <param name="capacity">Slots (packets) in the queue; a packet arriving to a full queue is dropped and counted.</param>
    /// <param name="pacingFactor">Pacing rate over the target bitrate (about 1.5..2.5: room for keyframes and bursts).</param>
    /// <param name="maxQueueDelayUs">Oldest wait tolerated before the queue is flushed in favour of a keyframe.</param>
    public PacketPacer(int capacity, double pacingFactor, long maxQueueDelayUs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pacingFactor, 1.0);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxQueueDelayUs, 1);
        _slots = new byte[capacity * SlotSize];
        _lengths = new int[capacity];
        _packets = new PacedPacket[capacity];
        PacingFactor = pacingFactor;
        _maxQueueDelayUs = maxQueueDelayUs;
        SetTargetKbps(300);
    }

    public double PacingFactor { get; }

    /// <summary>Packets waiting.</summary>
    public int Count => _count;

    /// <summary>Payload bytes waiting.</summary>
    public int QueuedBytes => _queuedBytes;

    /// <summary>Packets dropped: queue full, payload too large, or flushed after waiting too long.</summary>
    public long Dropped { get; private set; }

    /// <summary>Times the queue was flushed for waiting longer than the limit.</summary>
    public long Flushes { get; private set; }

    /// <summary>The pacing rate in kb/s (factor times target).</summary>
    public double PacingKbps => _bytesPerUs * 8_000;

    /// <summary>How long the oldest packet has waited at <paramref name="nowUs"/> (0 when empty).</summary>
    public long QueueDelayUs(long nowUs) => _count == 0 ? 0 : Math.Max(0, nowUs - _packets[_head].EnqueuedUs);

    /// <summary>Follows the encoder's target bitrate; the pacing rate is that times <see cref="PacingFactor"/>.</summary>
    public void SetTargetKbps(int kbps) => _bytesPerUs = Math.Max(1, kbps) * PacingFactor / 8_000.0;

    /// <summary>Queues one packet's payload (copied into a slot); false when dropped (full or oversized).</summary>
    public bool Enqueue(ReadOnlySpan<byte> payload, in PacedPacket packet)
    {
        if (_count == _lengths.Length || payload.Length > SlotSize)
        {
            Dropped++;
            return false;
        }

        int slot = (_head + _count) % _lengths.Length;
        payload.CopyTo(_slots.AsSpan(slot * SlotSize, SlotSize));
        _lengths[slot] = payload.Length;
        _packets[slot] = packet;
        _count++;
        _queuedBytes += payload.Length;
        return true;
    }

    /// <summary>
    /// Releases to <paramref name="sink"/> the packets the budget allows at <paramref name="nowUs"/>, oldest
    /// first (the last one may overdraw the budget; the debt delays the next). Returns true when the queue
    /// waited too long and was flushed: the caller should send a keyframe next.
    /// </summary>
    public bool Drain(long nowUs, PacedPacketSink sink)
    {
        Refill(nowUs);
        if (_count > 0 && nowUs - _packets[_head].EnqueuedUs > _maxQueueDelayUs)
        {
            Dropped += _count;
            Flushes++;
            _head = _count = _queuedBytes = 0;
            _backlogged = false;
            return true;
        }

        while (_count > 0 && _budgetBytes > 0)
        {
            int slot = _head;
            int length = _lengths[slot];
            _head = (_head + 1) % _lengths.Length;
            _count--;
            _queuedBytes -= length;
            _budgetBytes -= length;
            sink(_slots.AsSpan(slot * SlotSize, length), in _packets[slot]);
        }

        _backlogged = _count > 0;
        return false;
    }

    /// <summary>Microseconds from <paramref name="nowUs"/> until the next packet may leave (0 when one may now; -1 when empty).</summary>
    public long NextSendInUs(long nowUs)
    {
        if (_count == 0)
        {
            return -1;
        }

        Refill(nowUs);
        return _budgetBytes > 0 ? 0 : (long)Math.Ceiling((1 - _budgetBytes) / _bytesPerUs);
    }

    /// <summary>
    /// Adds the budget earned since the last call. After an idle gap at most <see cref="MaxBurstUs"/> of
    /// sending carries over (a frame on an idle path starts at once, but does not leave as one burst). When
    /// packets were left waiting, the drain that comes now was late (the timer and its thread-pool hop
    /// stretch from 1 ms to 10-50 ms on a busy host), and the time in between is owed to them: the budget
    /// may then reach what waits, so the pacer keeps its rate whatever the timer's lateness instead of
    /// sending one burst allowance per drain, which falls under the encoder's rate and flushes the queue.
    /// </summary>
    private void Refill(long nowUs)
    {
        double cap = Math.Max(_bytesPerUs * MaxBurstUs, 1);
        if (_backlogged)
        {
            cap = Math.Max(cap, _queuedBytes);
        }

        if (_lastUs == long.MinValue)
        {
            _budgetBytes = cap;
        }
        else if (nowUs > _lastUs)
        {
            _budgetBytes = Math.Min(cap, _budgetBytes + (nowUs - _lastUs) * _bytesPerUs);
        }

        _lastUs = Math.Max(_lastUs, nowUs);
    }
}
