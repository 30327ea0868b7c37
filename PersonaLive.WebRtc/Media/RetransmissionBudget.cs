namespace PersonaLive.WebRtc.Media;

/// <summary>Why a NACKed packet was or was not resent (see <see cref="RetransmissionBudget"/>).</summary>
public enum RetransmissionDecision
{
    /// <summary>Resend it; its bytes were taken from the budget.</summary>
    Send,

    /// <summary>Skipped: the same sequence number was resent less than the minimum interval ago.</summary>
    SkippedRecentlySent,

    /// <summary>Skipped: resending it would exceed the retransmission share of the target bitrate.</summary>
    SkippedOverBudget,
}

/// <summary>
/// Bounds NACK retransmissions (RFC 4585 section 6.2.1 generic NACK, resent as docs/webrtc.md describes)
/// so a receiver that reports loss is never flooded (RFC 3550 section 10 / RFC 8083: senders must react
/// to congestion, and resending everything a lossy receiver asks for adds load exactly when the path is
/// congested). A token bucket holds bytes; it refills at <see cref="BudgetFraction"/> of the current
/// target bitrate and holds at most <see cref="BurstMs"/> of that rate (never less than
/// <see cref="MinBurstBytes"/>), so retransmissions stay a bounded fraction on top of the media rate
/// and shrink when the loss controller lowers the target. A sequence number resent less than
/// <see cref="MinResendIntervalMs"/> ago is not resent again (the receiver's retry crossed our resend).
/// Pure arithmetic over preallocated arrays; no allocation per decision. Not thread-safe.
/// </summary>
public sealed class RetransmissionBudget
{
    private const int Slots = 1024;
    private readonly long[] _lastSentMs = new long[Slots];
    private readonly int[] _slotSequence = new int[Slots];
    private double _tokens = -1;
    private long _lastRefillMs;

    public RetransmissionBudget(double budgetFraction = 0.3, int burstMs = 250, int minBurstBytes = 6000, int minResendIntervalMs = 50)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(budgetFraction);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burstMs);
        ArgumentOutOfRangeException.ThrowIfNegative(minBurstBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(minResendIntervalMs);
        BudgetFraction = budgetFraction;
        BurstMs = burstMs;
        MinBurstBytes = minBurstBytes;
        MinResendIntervalMs = minResendIntervalMs;
        Array.Fill(_slotSequence, -1);
    }

    /// <summary>Share of the target bitrate that retransmissions may use on average (0.3 = 30 %).</summary>
    public double BudgetFraction { get; }

    /// <summary>Bucket depth in milliseconds of the retransmission rate.</summary>
    public int BurstMs { get; }

    /// <summary>Smallest bucket depth, so a few full packets can always be resent at very low bitrates.</summary>
    public int MinBurstBytes { get; }

    /// <summary>A sequence number is resent at most once per this interval.</summary>
    public int MinResendIntervalMs { get; }

    /// <summary>Packets resent.</summary>
    public long Sent { get; private set; }

    /// <summary>Bytes resent.</summary>
    public long SentBytes { get; private set; }

    /// <summary>NACKed packets not resent because the budget was exhausted.</summary>
    public long SkippedOverBudget { get; private set; }

    /// <summary>NACKed packets not resent because they had just been resent.</summary>
    public long SkippedRecentlySent { get; private set; }

    /// <summary>Total NACKed packets not resent.</summary>
    public long Skipped => SkippedOverBudget + SkippedRecentlySent;

    /// <summary>
    /// Decides whether to resend packet <paramref name="sequence"/> of <paramref name="bytes"/> bytes now,
    /// with the sender's current <paramref name="targetKbps"/>; a <see cref="RetransmissionDecision.Send"/>
    /// is charged to the budget and counted.
    /// </summary>
    public RetransmissionDecision TryResend(ushort sequence, int bytes, int targetKbps, long nowMs)
    {
        Refill(targetKbps, nowMs);
        int slot = sequence % Slots;
        if (_slotSequence[slot] == sequence && nowMs - _lastSentMs[slot] < MinResendIntervalMs)
        {
            SkippedRecentlySent++;
            return RetransmissionDecision.SkippedRecentlySent;
        }

        if (bytes > _tokens)
        {
            SkippedOverBudget++;
            return RetransmissionDecision.SkippedOverBudget;
        }

        _tokens -= bytes;
        _slotSequence[slot] = sequence;
        _lastSentMs[slot] = nowMs;
        Sent++;
        SentBytes += bytes;
        return RetransmissionDecision.Send;
    }

    /// <summary>
    /// Whether a second copy of a packet just resent fits the budget (charged when it does): the copy is
    /// only worth sending from what is left over, never at the expense of another packet's first resend,
    /// so it is allowed while at least half the bucket remains.
    /// </summary>
    public bool TryCopy(int bytes, int targetKbps, long nowMs)
    {
        double capacity = Refill(targetKbps, nowMs);
        if (_tokens - bytes < capacity / 2)
        {
            return false;
        }

        _tokens -= bytes;
        Copies++;
        SentBytes += bytes;
        return true;
    }

    /// <summary>Second copies sent (<see cref="TryCopy"/>).</summary>
    public long Copies { get; private set; }

    /// <summary>Adds the tokens earned since the last call; returns the bucket's capacity at this target.</summary>
    private double Refill(int targetKbps, long nowMs)
    {
        double bytesPerMs = Math.Max(1, targetKbps) * BudgetFraction / 8.0; // kb/s * 1000 / 8 / 1000
        double capacity = Math.Max(MinBurstBytes, bytesPerMs * BurstMs);
        if (_tokens < 0)
        {
            _tokens = capacity; // start full
        }
        else if (nowMs > _lastRefillMs)
        {
            _tokens += (nowMs - _lastRefillMs) * bytesPerMs;
        }

        _tokens = Math.Min(_tokens, capacity); // a lowered target also shrinks what was saved up
        _lastRefillMs = Math.Max(_lastRefillMs, nowMs);
        return capacity;
    }
}
