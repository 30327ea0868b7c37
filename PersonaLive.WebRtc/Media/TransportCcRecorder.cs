using PersonaLive.WebRtc.Rtcp.TransportCc;
using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.WebRtc.Media;

/// <summary>
/// Receiver side of transport-wide congestion control: remembers the arrival time of each packet by
/// its transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 2)
/// and, when asked (every 50-100 ms), writes one feedback (section 3.1) covering every sequence number
/// since the last one. Packets that arrive after their number was reported lost, duplicates, and jumps
/// backwards or forwards by more than <see cref="MaxSpan"/> are dropped and counted, so a hostile
/// sender cannot make us write absurd feedback. Thread-safe: the socket thread records, the executor builds.
/// </summary>
public sealed class TransportCcRecorder
{
    /// <summary>Most sequence numbers one feedback covers; the rest waits for the next.</summary>
    public const int MaxPacketsPerFeedback = 300;

    /// <summary>A sequence number further than this from the next one to report restarts the window.</summary>
    public const int MaxSpan = 4096;

    private readonly object _lock = new();
    private readonly SequenceUnwrapper _unwrapper = new();
    private readonly SortedDictionary<long, long> _arrivals = new();
    private readonly long[] _scratch = new long[MaxPacketsPerFeedback];
    private long _next = -1;
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
                _arrivals.Clear();
                _next = seq; // first packet, or the peer restarted its counter
            }

            if (seq < _next || _arrivals.Count >= MaxSpan || !_arrivals.TryAdd(seq, arrivalUs))
            {
                _dropped++;
            }
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
            if (_arrivals.Count == 0)
            {
                return 0;
            }

            // Start at the first received packet (a feedback must begin with one); numbers before it are lost.
            long first = _arrivals.Keys.First();
            long previous = _arrivals[first];
            int n = 0;
            foreach (var (seq, arrival) in _arrivals)
            {
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
                previous = arrival;
            }

            for (long s = first; s < first + n; s++)
            {
                _arrivals.Remove(s);
            }

            _next = first + n;
            _sent++;
            return TransportFeedbackWriter.Write(buffer, senderSsrc, mediaSsrc, (ushort)first, _feedbackCount++, _scratch.AsSpan(0, n));
        }
    }
}
