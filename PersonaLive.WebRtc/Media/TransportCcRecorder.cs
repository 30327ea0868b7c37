using PersonaLive.WebRtc.Rtcp.TransportCc;
using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.WebRtc.Media;

/// <summary>
/// Receiver side of transport-wide congestion control: remembers the arrival time of each packet by
/// its transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 2)
/// and, when asked (every 50-100 ms), writes one feedback (section 3.1) covering every sequence number
/// since the last one. Packets that arrive after their number was reported lost, duplicates, and jumps
/// backwards or forwards by more than <see cref="MaxSpan"/> are dropped and counted, so a hostile
/// sender cannot make us write absurd feedback. Arrivals live in a fixed ring indexed by sequence
/// number (no allocation per packet or per feedback: it runs for every packet received).
/// Thread-safe: the socket thread records, the executor builds.
/// </summary>
public sealed class TransportCcRecorder
{
    /// <summary>Most sequence numbers one feedback covers; the rest waits for the next.</summary>
    public const int MaxPacketsPerFeedback = 300;

    /// <summary>A sequence number further than this from the next one to report restarts the window.</summary>
    public const int MaxSpan = 4096;

    /// <summary>Ring size: a power of two above <see cref="MaxSpan"/>, so every number in the window has its own slot.</summary>
    private const int RingSize = 8192;

    private const long Absent = long.MinValue;

    private readonly object _lock = new();
    private readonly SequenceUnwrapper _unwrapper = new();
    private readonly long[] _arrivals = CreateRing();
    private readonly long[] _scratch = new long[MaxPacketsPerFeedback];
    private long _next = -1;
    private long _highest = -1;
    private int _count;
    private byte _feedbackCount;
    private long _dropped, _sent;

    /// <summary>Packets ignored (late after being reported, duplicate, or out of the window).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Feedback packets written.</summary>
    public long FeedbackWritten => Interlocked.Read(ref _sent);

    /// <summary>Records one arrival (µs on a monotonic clock).</summary>
    public void OnPacket(ushort transportSequence, long arrivalUs)
    {
        lock (_lock)
        {
            long seq = _unwrapper.Unwrap(transportSequence);
            if (_next < 0 || Math.Abs(seq - _next) > MaxSpan)
            {
                ClearWindow();
                _next = seq; // first packet, or the peer restarted its counter
                _highest = seq - 1;
            }

            ref long slot = ref _arrivals[(int)(seq & (RingSize - 1))];
            if (seq < _next || _count >= MaxSpan || slot != Absent)
            {
                _dropped++;
                return;
            }

            slot = arrivalUs;
            _count++;
            _highest = Math.Max(_highest, seq);
        }
    }

    /// <summary>
    /// Writes one feedback into <paramref name="buffer"/> (at least <see cref="TransportFeedbackWriter.MaxLength"/>
    /// of <see cref="MaxPacketsPerFeedback"/> bytes) about everything since the last call; 0 when nothing arrived.
    /// </summary>
    public int WriteFeedback(Span<byte> buffer, uint senderSsrc, uint mediaSsrc)
    {
        lock (_lock)
        {
            if (_count == 0)
            {
                return 0;
            }

            // Start at the first received packet (a feedback must begin with one); numbers before it are lost.
            long first = _next;
            while (Arrival(first) == Absent)
            {
                first++;
            }

            long previous = Arrival(first);
            int n = 0;
            for (long seq = first; seq <= _highest; seq++)
            {
                long arrival = Arrival(seq);
                if (arrival == Absent)
                {
                    continue;
                }

                long index = seq - first;
                if (index >= MaxPacketsPerFeedback
                    || Math.Abs(arrival / TransportFeedback.DeltaTickUs - previous / TransportFeedback.DeltaTickUs) > TransportFeedbackWriter.MaxDeltaTicks - 256)
                {
                    break; // the next feedback starts here
                }

                for (; n < index; n++)
                {
                    _scratch[n] = -1;
                }

                _scratch[n++] = arrival;
                _arrivals[(int)(seq & (RingSize - 1))] = Absent;
                _count--;
                previous = arrival;
            }

            _next = first + n;
            _sent++;
            return TransportFeedbackWriter.Write(buffer, senderSsrc, mediaSsrc, (ushort)first, _feedbackCount++, _scratch.AsSpan(0, n));
        }
    }

    private long Arrival(long seq) => _arrivals[(int)(seq & (RingSize - 1))];

    /// <summary>Forgets every unreported arrival (the window restarts). Caller holds the lock.</summary>
    private void ClearWindow()
    {
        if (_count > 0)
        {
            for (long seq = _next; seq <= _highest; seq++)
            {
                _arrivals[(int)(seq & (RingSize - 1))] = Absent;
            }
        }

        _count = 0;
    }

    private static long[] CreateRing()
    {
        var ring = new long[RingSize];
        ring.AsSpan().Fill(Absent);
        return ring;
    }
}
