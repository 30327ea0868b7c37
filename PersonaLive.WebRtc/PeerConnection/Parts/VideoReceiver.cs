using System.Threading.Channels;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Media;
using PersonaLive.WebRtc.Rtcp;
using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// The receiver part of a peer connection: depacketises and assembles the remote video track through
/// the codec seam (<see cref="IRtpFrameAssembler"/>), keeps RTP receive statistics (RFC 3550 section
/// 6.4.1), schedules NACKs (RFC 4585 section 6.2.1) and PLIs, maps RTP time to the sender's clock
/// through its last SR, and decodes on a worker task (<see cref="IVideoDecoder"/>). All assembly state
/// is guarded by one lock, taken by the socket thread (<see cref="OnRtp"/>), the executor
/// (<see cref="Tick"/>, <see cref="OnSenderReport"/>) and the decode worker; the decoder itself is
/// owned by the worker alone. Frames go to the worker through a bounded queue (32, oldest dropped,
/// which breaks the reference chain and so asks for a keyframe). Assembled frames hold pooled bytes: the
/// decode worker releases them (a dropped one is released at once).
/// </summary>
internal sealed partial class VideoReceiver
{
    private readonly object _lock = new();
    private readonly RtcOptions _options;
    private IVideoCodec _codec;
    private IRtpFrameAssembler _assembler;
    private readonly NackScheduler _nacks;
    private readonly List<AssembledFrame> _completed = new();
    private readonly List<ushort> _missing = new();
    private readonly Channel<AssembledFrame> _decodeQueue;
    private RtpReceiveStatistics? _stats;
    private (ulong Ntp, uint Rtp)? _remoteClock;
    private long _lastPliMs = -1_000_000;
    private volatile uint _remoteSsrc;
    private volatile int _payloadType = -1;
    private volatile bool _decoderNeedsKeyframe;
    private int _rembKbps;
    private long _packets, _bytes, _malformed, _skipped, _plisSent, _nacksSent;

    /// <summary>Starts with <paramref name="codec"/> until <see cref="Enable"/> names the negotiated one; <paramref name="nacks"/> replaces the default NACK timing (tests).</summary>
    public VideoReceiver(IVideoCodec codec, RtcOptions options, NackScheduler? nacks = null)
    {
        _nacks = nacks ?? new NackScheduler();
        _codec = codec;
        _options = options;
        _assembler = codec.CreateAssembler(options.FrameLossTimeoutMs);
        _rembKbps = options.MaxIncomingBitrateKbps;
        _decodeQueue = Channel.CreateBounded<AssembledFrame>(
            new BoundedChannelOptions(32) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped =>
            {
                dropped.Release();
                Interlocked.Increment(ref _skipped); // the dropped frame is lost, and so is the chain after it
                _decoderNeedsKeyframe = true;
            });
    }

    /// <summary>The remote stream's SSRC, 0 before its first packet.</summary>
    public uint RemoteSsrc => _remoteSsrc;

    /// <summary>The REMB we advertise for the remote stream (kb/s).</summary>
    public int RembKbps => Volatile.Read(ref _rembKbps);

    /// <summary>
    /// Negotiation done and we receive video: from now on RTP of <paramref name="payloadType"/> is
    /// assembled by <paramref name="codec"/> (a fresh assembler; nothing was accepted before).
    /// </summary>
    public void Enable(IVideoCodec codec, int payloadType)
    {
        lock (_lock)
        {
            _codec = codec;
            _assembler = codec.CreateAssembler(_options.FrameLossTimeoutMs);
        }

        _payloadType = payloadType;
    }

    /// <summary>Counts an authenticated SRTP/SRTCP packet (received totals cover both).</summary>
    public void CountPacket(int bytes)
    {
        Interlocked.Increment(ref _packets);
        Interlocked.Add(ref _bytes, bytes);
    }

    public void CountMalformed() => Interlocked.Increment(ref _malformed);

    /// <summary>An authenticated, decrypted RTP packet (socket thread).</summary>
    public void OnRtp(ReadOnlySpan<byte> packet, long nowMs)
    {
        if (!RtpHeader.TryParse(packet, out var header) || !header.TryGetPayload(packet, out var payload))
        {
            CountMalformed();
            return;
        }

        RecordTransportSequence(packet, header);
        if (header.PayloadType != _payloadType)
        {
            return; // e.g. RTX or FEC we did not negotiate, or we do not receive
        }

        lock (_lock)
        {
            if (_stats is null)
            {
                _stats = new RtpReceiveStatistics(header.Ssrc);
                _remoteSsrc = header.Ssrc;
            }
            else if (header.Ssrc != _stats.Ssrc)
            {
                return;
            }

            _stats.OnPacket(header.SequenceNumber, header.Timestamp, nowMs);
            bool retransmitted = _nacks.WasRequested(header.SequenceNumber);
            _nacks.OnReceived(header.SequenceNumber, nowMs);
            _assembler.Insert(header.SequenceNumber, header.Timestamp, header.Marker, payload, retransmitted, nowMs, _completed);
            FlushCompleted();
        }
    }

    /// <summary>An RTCP SR about the remote stream: remembers its NTP/RTP pair (executor).</summary>
    public void OnSenderReport(uint ssrc, ulong ntp, uint rtp, long nowMs)
    {
        lock (_lock)
        {
            if (_stats is null || ssrc == _stats.Ssrc)
            {
                _stats?.OnSenderReport(ntp, nowMs);
                _remoteClock = (ntp, rtp);
            }
        }
    }

    /// <summary>
    /// Periodic work (executor): sets the loss timeout from the measured repair time and the round trip
    /// (<see cref="FrameLossWait"/>; NACK off: the configured one), releases frames past it, collects NACKs
    /// due into <paramref name="dueNacks"/>, and says whether a PLI is due (at most one per 300 ms while a
    /// keyframe is needed, repeated once a second while none comes).
    /// </summary>
    public bool Tick(long nowMs, bool nack, List<ushort> dueNacks, double? roundTripMs = null)
    {
        if (_payloadType < 0)
        {
            return false;
        }

        lock (_lock)
        {
            _assembler.LossTimeoutMs = nack ? FrameLossWait.TimeoutMs(_options.FrameLossTimeoutMs, _nacks.RepairMs, roundTripMs) : _options.FrameLossTimeoutMs;
            _assembler.Poll(nowMs, _completed);
            FlushCompleted();
            if (nack)
            {
                _missing.Clear();
                _assembler.CollectMissing(_missing, 256);
                _nacks.Due(_missing, nowMs, dueNacks);
            }

            if (_assembler.KeyframeNeeded && nowMs - _lastPliMs >= 300 && _remoteSsrc != 0)
            {
                _assembler.KeyframeNeeded = false;
                _lastPliMs = nowMs;
                return true;
            }

            if (_assembler.KeyframeNeeded && nowMs - _lastPliMs >= 1000)
            {
                _lastPliMs = nowMs - 700; // keep asking once a second while no keyframe comes
            }

            return false;
        }
    }

    /// <summary>Asks the remote sender for a keyframe at the next tick (any thread).</summary>
    public void RequestKeyframe()
    {
        lock (_lock)
        {
            _assembler.KeyframeNeeded = true;
        }
    }

    /// <summary>The report block about the remote stream for our next RR/SR, null before its first packet.</summary>
    public ReportBlock? CreateReportBlock(long nowMs)
    {
        lock (_lock)
        {
            return _stats?.CreateReportBlock(nowMs);
        }
    }

    /// <summary>Our REMB for the remote upload: lower it while we measure more than 10 % loss, recover toward the ceiling.</summary>
    public void AdjustRemb()
    {
        double loss;
        lock (_lock)
        {
            loss = _stats?.LastFractionLost ?? 0;
        }

        int remb = _rembKbps;
        Volatile.Write(ref _rembKbps, loss > 0.10
            ? Math.Max(150, (int)(remb * 0.85))
            : Math.Min(_options.MaxIncomingBitrateKbps, (int)(remb * 1.05) + 1));
    }

    public void CountFeedbackSent(bool nack, bool pli)
    {
        if (nack)
        {
            Interlocked.Increment(ref _nacksSent);
        }

        if (pli)
        {
            Interlocked.Increment(ref _plisSent);
        }
    }

    /// <summary>Adds this part's counters to a stats snapshot.</summary>
    public PeerConnectionStats AddTo(PeerConnectionStats s)
    {
        lock (_lock)
        {
            return s with
            {
                PacketsReceived = Interlocked.Read(ref _packets),
                BytesReceived = Interlocked.Read(ref _bytes),
                FramesDecoded = Interlocked.Read(ref _framesDecoded),
                FramesAssembled = Interlocked.Read(ref _framesAssembled),
                KeyframesDecoded = Interlocked.Read(ref _keyframesDecoded),
                FramesLost = _assembler.LostFrames + Interlocked.Read(ref _skipped),
                FramesRecovered = _assembler.RecoveredFrames,
                NacksSent = Interlocked.Read(ref _nacksSent),
                PlisSent = Interlocked.Read(ref _plisSent),
                RtxReceived = Interlocked.Read(ref _rtxReceived),
                DroppedMalformed = s.DroppedMalformed + Interlocked.Read(ref _malformed) + _assembler.MalformedPackets,
                DroppedLateOrDuplicate = _assembler.LateOrDuplicatePackets + _assembler.OverflowPackets,
                PacketsLost = _stats?.CumulativeLost ?? 0,
                LocalFractionLost = _stats?.LastFractionLost ?? 0,
            };
        }
    }

    /// <summary>Runs under <see cref="_lock"/>.</summary>
    private void FlushCompleted()
    {
        foreach (var frame in _completed)
        {
            _decodeQueue.Writer.TryWrite(frame);
        }

        _completed.Clear();
    }
}
