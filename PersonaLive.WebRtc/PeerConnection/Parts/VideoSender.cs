using System.Net;
using System.Security.Cryptography;
using PersonaLive.Media;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Media;
using PersonaLive.WebRtc.Rtcp;
using PersonaLive.WebRtc.Rtp;

namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// The sender part of a peer connection: encodes through the codec seam (<see cref="IVideoEncoder"/>,
/// created on the first frame and re-created when the size changes), packetises
/// (<see cref="IRtpPacketizer"/>), keeps a send history and resends NACKed packets within the
/// <see cref="RetransmissionBudget"/>, and follows the peer's receiver reports and REMB with a
/// <see cref="BandwidthController"/>. Two locks: the encode lock (one encode at a time; the encoder is
/// disposed under it) and the send lock (sequence numbers, history, packet buffer), always taken in that
/// order; an encode never blocks a retransmission. The socket thread never waits for an encode: bitrate
/// changes are recorded and applied before the next frame. No allocation per frame: the encoder writes
/// into its reused buffer, which is sent and handed on while the encode lock is still held, and the
/// packetiser's sink is one cached delegate reading the current frame's fields.
/// </summary>
internal sealed partial class VideoSender
{
    private readonly object _encodeLock = new();
    private readonly object _sendLock = new();
    private readonly RtcOptions _options;
    private readonly SrtpTransport _srtp;
    private readonly Action<ReadOnlySpan<byte>, IPEndPoint> _transmit;
    private IVideoCodec _codec;
    private IRtpPacketizer _packetizer;
    private readonly BandwidthController _bandwidth;
    private readonly RtpSendHistory _history = new();
    private readonly RetransmissionBudget _budget;
    private readonly byte[] _packetBuffer = new byte[1600];
    private readonly byte[] _payloadScratch = new byte[1600];
    private IVideoEncoder? _encoder;
    private bool _closed;
    private ushort _sequence = (ushort)RandomNumberGenerator.GetInt32(0, 65536);
    private volatile bool _forceKeyframe = true;
    private volatile int _pendingBitrateKbps;
    private volatile int _sendTargetKbps;
    private readonly SendRateShare _share = new();
    private volatile int _encoderBitrateKbps;
    private volatile int _payloadType = -1;
    private uint _packetsSent, _octetsSent;
    private long _framesEncoded, _framesSent, _retransmissions, _bitrateRefusals;
    private readonly RtpPayloadSink _emit;
    private byte _emitPayloadType;
    private uint _emitTimestamp;
    private IPEndPoint? _emitTarget;

    /// <summary>Starts with <paramref name="codec"/> until <see cref="Enable"/> names the negotiated one.</summary>
    public VideoSender(IVideoCodec codec, RtcOptions options, uint ssrc, SrtpTransport srtp, Action<ReadOnlySpan<byte>, IPEndPoint> transmit)
    {
        _codec = codec;
        _options = options;
        Ssrc = ssrc;
        _srtp = srtp;
        _transmit = transmit;
        _packetizer = codec.CreatePacketizer();
        _bandwidth = new BandwidthController(options.StartOutgoingBitrateKbps, options.MinOutgoingBitrateKbps, options.MaxOutgoingBitrateKbps);
        ApplySendTarget(_bandwidth.TargetKbps);
        _budget = new RetransmissionBudget(options.RetransmissionBudgetPercent / 100.0);
        _emit = Emit;
        CreatePacer();
    }

    /// <summary>
    /// Receives a frame just encoded and sent (<see cref="EncodeAndSend"/>), under the encode lock:
    /// <paramref name="data"/> is the encoder's reused buffer, valid during the call only.
    /// </summary>
    public delegate void EncodedFrameSink(ReadOnlyMemory<byte> data, bool isKeyframe, uint rtpTimestamp, ulong captureNtpTime, int width, int height);

    public uint Ssrc { get; }

    /// <summary>Random offset added to every RTP timestamp (RFC 3550 section 5.1).</summary>
    public uint TimestampOffset { get; } = BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4));

    /// <summary>The encoder's target (kb/s): its share of <see cref="SendTargetKbps"/>.</summary>
    public int TargetBitrateKbps => _pendingBitrateKbps;

    /// <summary>The send target on the path (kb/s): the lower of the loss-based and delay-based estimates, headers and resends included.</summary>
    public int SendTargetKbps => _sendTargetKbps;

    public bool Enabled => _payloadType >= 0;

    /// <summary>Bitrate changes the encoder refused (kept its old rate).</summary>
    public long BitrateRefusals => Interlocked.Read(ref _bitrateRefusals);

    /// <summary>
    /// Negotiation done and we send video: from now on frames are encoded and packetised by
    /// <paramref name="codec"/> and sent with <paramref name="payloadType"/>. An encoder made before
    /// (a frame sent before negotiation) is dropped, so the next frame opens the negotiated one with a keyframe.
    /// </summary>
    public void Enable(IVideoCodec codec, int payloadType, int rtxPayloadType = -1)
    {
        _rtxPayloadType = rtxPayloadType;
        lock (_encodeLock)
        {
            _codec = codec;
            _encoder?.Dispose();
            _encoder = null;
        }

        lock (_sendLock)
        {
            _packetizer = codec.CreatePacketizer();
        }

        _payloadType = payloadType;
    }

    /// <summary>Makes the next encoded frame a keyframe.</summary>
    public void ForceKeyframe() => _forceKeyframe = true;

    /// <summary>
    /// Encodes one picture (caller thread, one encode at a time) and sends it to <paramref name="target"/>;
    /// returns its RTP timestamp (from the capture time at 90 kHz), or 0 when closed, not sendable, or the
    /// codec produced no frame. <paramref name="encoded"/> then sees the encoded bytes, uncopied.
    /// </summary>
    public uint EncodeAndSend(I420Frame frame, ulong captureNtpTime, IPEndPoint? target, EncodedFrameSink? encoded)
    {
        lock (_encodeLock)
        {
            if (_closed || SkipForFrameRate())
            {
                return 0;
            }

            if (_encoder is null || _encoder.Width != frame.Width || _encoder.Height != frame.Height)
            {
                _encoder?.Dispose();
                _encoder = null;
                _encoder = _codec.CreateEncoder(new VideoEncoderSettings(frame.Width, frame.Height, TargetBitrateKbps,
                    _options.MinOutgoingBitrateKbps, _options.MaxOutgoingBitrateKbps, _options.EncoderCpuUsed,
                    frame.Width * frame.Height >= 640 * 480 ? 2 : 1));
                _forceKeyframe = true;
            }

            int pending = _pendingBitrateKbps;
            if (pending != _encoder.BitrateKbps && !_encoder.TrySetBitrate(pending))
            {
                Interlocked.Increment(ref _bitrateRefusals); // the old rate stays; the next frame tries again
            }

            _encoderBitrateKbps = _encoder.BitrateKbps;
            bool key = _forceKeyframe;
            _forceKeyframe = false;
            if (!_encoder.TryEncode(frame, (long)NtpTime.To90kHz(captureNtpTime), key, out var data, out bool isKeyframe))
            {
                return 0;
            }

            Interlocked.Increment(ref _framesEncoded);
            uint timestamp = Send(data.Span, captureNtpTime, target);
            if (isKeyframe && timestamp != 0)
            {
                NoteKeyframeSent(data.Length);
            }

            encoded?.Invoke(data, isKeyframe, timestamp, captureNtpTime, frame.Width, frame.Height);
            return timestamp;
        }
    }

    /// <summary>Packetises, protects and sends one encoded frame to <paramref name="target"/>; returns its RTP timestamp or 0.</summary>
    public uint Send(ReadOnlySpan<byte> frame, ulong captureNtpTime, IPEndPoint? target)
    {
        int pt = _payloadType;
        if (pt < 0 || target is null)
        {
            return 0;
        }

        uint timestamp = TimestampOffset + (uint)NtpTime.To90kHz(captureNtpTime);
        lock (_sendLock)
        {
            if (_closed || !_srtp.CanSend)
            {
                return 0;
            }

            _emitPayloadType = (byte)pt;
            _emitTimestamp = timestamp;
            _emitTarget = target;
            _packetizer.Packetize(frame, _payloadScratch, _emit);
            _emitTarget = null;
            _framesSent++;
        }

        return timestamp;
    }

    /// <summary>Resends NACKed packets from the history (on the RTX stream when negotiated, else as they were) within the budget; returns how many.</summary>
    public int Retransmit(IReadOnlyList<ushort> sequences, IPEndPoint? target, long nowMs)
    {
        if (target is null)
        {
            return 0;
        }

        int sent = 0;
        lock (_sendLock)
        {
            int targetKbps = _sendTargetKbps;
            for (int i = 0; i < sequences.Count && !_closed; i++)
            {
                ushort seq = sequences[i];
                int length = _history.LengthOf(seq);
                if (length == 0 || _budget.TryResend(seq, length, targetKbps, nowMs) != RetransmissionDecision.Send)
                {
                    continue; // too old (the receiver's loss timeout and PLI take over) or over budget (counted)
                }

                if (ResendWithCopy(seq, length, target, targetKbps, nowMs))
                {
                    sent++;
                }
            }
        }

        Interlocked.Add(ref _retransmissions, sent);
        return sent;
    }

    /// <summary>The peer's report about our stream: loss drives the bitrate target (executor).</summary>
    public void OnReceiverReport(double fractionLost)
    {
        lock (_sendLock)
        {
            ApplySendTarget(Combine(_bandwidth.OnReceiverReport(fractionLost)));
        }
    }

    /// <summary>The peer's REMB: caps the bitrate target (executor).</summary>
    public void OnRemb(ulong bitsPerSecond)
    {
        lock (_sendLock)
        {
            ApplySendTarget(Combine(_bandwidth.OnRemb(bitsPerSecond)));
        }
    }

    /// <summary>SR sender info for now, or null when nothing was sent yet (then an RR is due).</summary>
    public SenderInfo? CurrentSenderInfo()
    {
        lock (_sendLock)
        {
            if (_packetsSent == 0)
            {
                return null;
            }

            ulong ntp = NtpTime.Now();
            return new SenderInfo(Ssrc, ntp, TimestampOffset + (uint)NtpTime.To90kHz(ntp), _packetsSent, _octetsSent);
        }
    }

    /// <summary>Stops sending and frees the encoder; waits for an encode or send in progress (any thread, idempotent).</summary>
    public void Close()
    {
        lock (_encodeLock)
        {
            _closed = true;
            _encoder?.Dispose();
            _encoder = null;
        }

        lock (_sendLock)
        {
            _closed = true;
        }
    }

    /// <summary>Adds this part's counters to a stats snapshot.</summary>
    public PeerConnectionStats AddTo(PeerConnectionStats s)
    {
        lock (_sendLock)
        {
            return s with
            {
                PacketsSent = _packetsSent,
                FramesEncoded = Interlocked.Read(ref _framesEncoded),
                FramesSent = _framesSent,
                Retransmissions = Interlocked.Read(ref _retransmissions),
                RetransmissionsSkipped = _budget.Skipped,
                PacerFlushes = _pacerFlushes,
                KeyframeRequestsCovered = Interlocked.Read(ref _keyframeRequestsCovered),
                RtxSent = _rtxSent,
                FramesSkippedForRate = Interlocked.Read(ref _framesSkipped),
                TransportFeedbackReceived = _transportCc.FeedbackReceived,
                TransportCcPacketsReported = _transportCc.PacketsReported,
                TargetBitrateKbps = _bandwidth.TargetKbps,
                SendTargetKbps = _sendTargetKbps,
                EncoderBitrateKbps = _encoderBitrateKbps,
            };
        }
    }
}
