using System.Net;
using PersonaLive.WebRtc.Media.Pacing;

namespace PersonaLive.WebRtc.PeerConnection;

/// <summary>
/// The sender's pacing: each packet of a frame gets its RTP sequence number when packetised and then
/// waits in a <see cref="PacketPacer"/>; its header (with the transport-wide number and abs-send-time of
/// the moment it really leaves) is written when the pacer releases it. The first packets of a frame on an
/// idle path leave at once, from the packetiser; the rest leave from <see cref="DrainPacer"/>, which the
/// connection's pacing timer runs on its executor while <see cref="PacerWake"/> says packets wait.
/// Retransmissions bypass the queue (they have their own budget and are late already). With
/// <c>Rtc:PacingFactor</c> 0 every packet leaves as it is packetised.
/// </summary>
internal sealed partial class VideoSender
{
    private PacketPacer? _pacer;
    private PacedPacketSink? _paced;
    private IPEndPoint? _paceTarget;
    private long _pacerFlushes;
    private bool _pacerArmed;

    /// <summary>Called (under the send lock, any thread) when packets are left waiting: arm the pacing timer.</summary>
    public Action? PacerWake { get; set; }

    /// <summary>Packets waiting in the pacer.</summary>
    public int PacerQueued
    {
        get
        {
            lock (_sendLock)
            {
                return _pacer?.Count ?? 0;
            }
        }
    }

    private void CreatePacer()
    {
        if (_options.PacingFactor >= 1)
        {
            _pacer = new PacketPacer(_options.PacerQueuePackets, _options.PacingFactor, _options.PacerMaxQueueDelayMs * 1000L);
            _pacer.SetTargetKbps(_pendingBitrateKbps);
            _paced = SendPaced;
        }
    }

    /// <summary>
    /// Releases what the pacing budget allows now (executor, from the pacing timer); returns microseconds
    /// until the next packet may leave, or -1 when the queue is empty. A queue that waited longer than
    /// <c>Rtc:PacerMaxQueueDelayMs</c> is dropped and the next frame becomes a keyframe.
    /// </summary>
    public long DrainPacer(long nowUs)
    {
        lock (_sendLock)
        {
            long next = DrainLocked(nowUs);
            _pacerArmed = next >= 0;
            return next;
        }
    }

    /// <summary>Caller holds the send lock.</summary>
    private long DrainLocked(long nowUs)
    {
        if (_pacer is not { } pacer || _closed || _paceTarget is null || !_srtp.CanSend)
        {
            return -1;
        }

        pacer.SetTargetKbps(_pendingBitrateKbps);
        if (pacer.Drain(nowUs, _paced!))
        {
            _pacerFlushes++;
            _forceKeyframe = true; // the dropped packets' frames are unrecoverable; start clean
        }

        return pacer.NextSendInUs(nowUs);
    }

    /// <summary>Writes, stores and sends one packet the pacer released. Caller holds the send lock.</summary>
    private void SendPaced(ReadOnlySpan<byte> payload, in PacedPacket packet) =>
        WriteAndSend(payload, packet.Marker, packet.PayloadType, packet.Sequence, packet.Timestamp, _paceTarget!);

    /// <summary>One RTP packet of the frame being packetised: queued in the pacer, or sent at once without one. Caller holds <see cref="_sendLock"/>.</summary>
    private void Emit(ReadOnlySpan<byte> payload, bool marker)
    {
        ushort sequence = _sequence++;
        if (_pacer is not { } pacer)
        {
            WriteAndSend(payload, marker, _emitPayloadType, sequence, _emitTimestamp, _emitTarget!);
            return;
        }

        _paceTarget = _emitTarget;
        long now = MonotonicUs();
        pacer.Enqueue(payload, new PacedPacket(sequence, _emitTimestamp, _emitPayloadType, marker, now));
        if (!_pacerArmed && DrainLocked(now) >= 0)
        {
            _pacerArmed = true; // packets wait: the timer drains from now until the queue is empty
            PacerWake?.Invoke();
        }
    }

    /// <summary>Writes the header (extensions stamped now), stores, protects and sends one packet. Caller holds <see cref="_sendLock"/>.</summary>
    private void WriteAndSend(ReadOnlySpan<byte> payload, bool marker, byte payloadType, ushort sequence, uint timestamp, IPEndPoint target)
    {
        int n = WriteHeader(marker, payloadType, sequence, timestamp, payload.Length, Ssrc);
        payload.CopyTo(_packetBuffer.AsSpan(n));
        n += payload.Length;
        _history.Store(sequence, _packetBuffer.AsSpan(0, n));
        _packetsSent++;
        _octetsSent += (uint)payload.Length;
        ProtectAndSend(n, target, payload.Length);
    }
}
