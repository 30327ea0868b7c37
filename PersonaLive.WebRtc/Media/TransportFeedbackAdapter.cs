using PersonaLive.WebRtc.Rtcp.TransportCc;

namespace PersonaLive.WebRtc.Media;

/// <summary>One sent packet's fate as the peer reported it: when we sent it, its size, and when it
/// arrived on the peer's clock (µs, only differences between packets are meaningful), or not.</summary>
public readonly record struct PacketResult(long TransportSequence, long SendTimeUs, int Size, bool Received, long ArrivalUs);

/// <summary>
/// What a congestion controller consumes (the seam for a delay-based estimator): the results of one
/// transport-cc feedback, in sequence order, each packet reported at most once as received. The list
/// is reused for the next feedback: an observer reads it during the call and keeps nothing of it.
/// </summary>
public interface ITransportFeedbackObserver
{
    void OnPacketResults(IReadOnlyList<PacketResult> results, long nowUs);
}

/// <summary>
/// Sender side of transport-wide congestion control: numbers our outgoing packets (the 16-bit
/// transport-wide sequence, draft-holmer-rmcat-transport-wide-cc-extensions-01 section 2), remembers
/// send time and size of the last <see cref="HistorySize"/>, and turns the peer's feedback into
/// <see cref="PacketResult"/>s. Bounds: feedback about numbers we never sent, older than the history,
/// already reported received, or with a replayed/stale feedback count is ignored and counted; arrival
/// times are only used relative to each other, so an absurd reference time cannot claim a huge rate
/// by itself. Thread-safe (sender lock for sends, executor for feedback).
/// </summary>
public sealed class TransportFeedbackAdapter
{
    public const int HistorySize = 8192;

    private readonly object _lock = new();
    private readonly long[] _sendTimes = new long[HistorySize];
    private readonly int[] _sizes = new int[HistorySize];
    private readonly bool[] _acked = new bool[HistorySize];
    private readonly List<PacketResult> _results = new();
    private long _nextSequence;
    private long _ignored, _feedbacks, _reported;

    /// <summary>Who gets the results (a future delay-based estimator); may be null.</summary>
    public ITransportFeedbackObserver? Observer { get; set; }

    /// <summary>Feedback entries ignored: unknown, too old, or already reported.</summary>
    public long Ignored => Interlocked.Read(ref _ignored);

    /// <summary>Feedback packets accepted.</summary>
    public long FeedbackReceived => Interlocked.Read(ref _feedbacks);

    /// <summary>Packets the peer reported received.</summary>
    public long PacketsReported => Interlocked.Read(ref _reported);

    /// <summary>Takes the next transport-wide sequence number for a packet of <paramref name="size"/> bytes sent now.</summary>
    public ushort OnPacketSent(int size, long sendTimeUs)
    {
        lock (_lock)
        {
            long seq = _nextSequence++;
            int slot = (int)(seq % HistorySize);
            _sendTimes[slot] = sendTimeUs;
            _sizes[slot] = size;
            _acked[slot] = false;
            return (ushort)seq;
        }
    }

    /// <summary>
    /// A packet is resent unchanged (same transport number): later feedback about it is matched with
    /// this send time. Ignored when the number is unknown, too old, or already reported received.
    /// </summary>
    public void OnResent(ushort transportSequence, long sendTimeUs)
    {
        lock (_lock)
        {
            long seq = Unwrap(transportSequence);
            if (seq >= 0 && !_acked[(int)(seq % HistorySize)])
            {
                _sendTimes[(int)(seq % HistorySize)] = sendTimeUs;
            }
        }
    }

    /// <summary>Matches a feedback to what we sent and passes the new results to <see cref="Observer"/>; returns how many.</summary>
    public int OnFeedback(TransportFeedback feedback, long nowUs)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        return OnFeedback(feedback.Packets is TransportPacketStatus[] packets ? packets : feedback.Packets.ToArray(), nowUs);
    }

    /// <summary>
    /// Matches one feedback's packet statuses to what we sent and passes the new results to
    /// <see cref="Observer"/> (a list reused by the next call: it is the observer's only during the
    /// call); returns how many. Called by one thread at a time (the executor); allocates nothing.
    /// </summary>
    public int OnFeedback(ReadOnlySpan<TransportPacketStatus> packets, long nowUs)
    {
        lock (_lock)
        {
            _results.Clear();
            if (_nextSequence == 0)
            {
                _ignored += packets.Length;
                return 0;
            }

            foreach (var p in packets)
            {
                long seq = Unwrap(p.Sequence);
                if (seq < 0)
                {
                    _ignored++;
                    continue;
                }

                int slot = (int)(seq % HistorySize);
                if (_acked[slot])
                {
                    _ignored++; // replayed or duplicate feedback
                    continue;
                }

                if (p.Received)
                {
                    _acked[slot] = true;
                    _reported++;
                }

                _results.Add(new PacketResult(seq, _sendTimes[slot], _sizes[slot], p.Received, p.ArrivalOffsetUs));
            }

            _feedbacks++;
        }

        if (_results.Count > 0)
        {
            Observer?.OnPacketResults(_results, nowUs);
        }

        return _results.Count;
    }

    /// <summary>The full number of a 16-bit one, at most <see cref="HistorySize"/> behind the newest sent; -1 otherwise. Caller holds the lock.</summary>
    private long Unwrap(ushort sequence)
    {
        long newest = _nextSequence - 1;
        long seq = newest - (ushort)((ushort)newest - sequence);
        return newest < 0 || seq < 0 || newest - seq >= HistorySize ? -1 : seq;
    }
}
