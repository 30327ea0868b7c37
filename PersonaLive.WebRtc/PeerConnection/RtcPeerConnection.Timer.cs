using Microsoft.Extensions.Logging;
using PersonaLive.WebRtc.Media;

namespace PersonaLive.WebRtc.PeerConnection;

public sealed partial class RtcPeerConnection
{
    private readonly NackScheduler _nacks = new();
    private readonly List<ushort> _missing = new();
    private readonly List<ushort> _dueNacks = new();
    private int _rembKbps;
    private long _lastReportMs;
    private long _lastPliMs = -1_000_000;

    private void StartTimer() => _timerTask = Task.Run(TimerLoop);

    /// <summary>
    /// Every 20 ms: ICE checks (offerer), consent, frame-loss timeouts, NACKs, PLI (at most one per
    /// 300 ms while a keyframe is needed), and about every second RR/SR + SDES + REMB.
    /// </summary>
    private async Task TimerLoop()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        try
        {
            while (await timer.WaitForNextTickAsync(_closing.Token).ConfigureAwait(false))
            {
                try
                {
                    Tick(NowMs);
                }
                catch (Exception e)
                {
                    _logger.LogError(e, "Peer connection timer failed");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Tick(long now)
    {
        SendChecksIfDue(now);
        CheckConsent(now);
        if (_outbound is null || _closing.IsCancellationRequested)
        {
            return;
        }

        bool pli = false;
        _dueNacks.Clear();
        lock (_receiveLock)
        {
            if (_video!.WeReceive)
            {
                _assembler.Poll(now, _completed);
                FlushCompleted();
                if (_video.Nack && _options.NackEnabled)
                {
                    _missing.Clear();
                    _assembler.CollectMissing(_missing, 256);
                    _nacks.Due(_missing, now, _dueNacks);
                }

                if (_assembler.KeyframeNeeded && now - _lastPliMs >= 300 && _remoteSsrc != 0)
                {
                    _assembler.KeyframeNeeded = false;
                    _lastPliMs = now;
                    pli = true;
                }
                else if (_assembler.KeyframeNeeded && now - _lastPliMs >= 1000)
                {
                    _lastPliMs = now - 700; // keep asking once a second while no keyframe comes
                }
            }
        }

        bool report = now - _lastReportMs >= 1000;
        if (report)
        {
            _lastReportMs = now;
            AdjustRemb();
        }

        if (report || pli || _dueNacks.Count > 0)
        {
            SendRtcp(report, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_dueNacks), pli);
        }
    }

    /// <summary>Our REMB for the browser's upload: lower it while we measure more than 10 % loss, recover toward the ceiling.</summary>
    private void AdjustRemb()
    {
        double loss = _receiveStats?.LastFractionLost ?? 0;
        _rembKbps = loss > 0.10
            ? Math.Max(150, (int)(_rembKbps * 0.85))
            : Math.Min(_options.MaxIncomingBitrateKbps, (int)(_rembKbps * 1.05) + 1);
    }

    private long RetransmissionsSkipped()
    {
        lock (_sendLock)
        {
            return _retransmitBudget.Skipped;
        }
    }

    /// <summary>Counters of this connection.</summary>
    public PeerConnectionStats GetStats() => new()
    {
        State = ConnectionState,
        PacketsReceived = _packetsReceived,
        BytesReceived = _bytesReceived,
        PacketsSent = _packetsSent,
        BytesSent = _bytesSent,
        FramesDecoded = Interlocked.Read(ref _framesDecoded),
        FramesAssembled = Interlocked.Read(ref _framesAssembled),
        FramesEncoded = _framesEncoded,
        FramesSent = _framesSent,
        FramesLost = _assembler.LostFrames + Interlocked.Read(ref _decoderSkipped),
        FramesRecovered = _assembler.RecoveredFrames,
        KeyframesDecoded = Interlocked.Read(ref _keyframesDecoded),
        NacksSent = _nacksSent,
        NacksReceived = _nacksReceived,
        Retransmissions = _retransmissions,
        RetransmissionsSkipped = RetransmissionsSkipped(),
        PlisSent = _plisSent,
        PlisReceived = _plisReceived,
        FirsReceived = _firsReceived,
        DroppedMalformed = Interlocked.Read(ref _droppedMalformed) + _assembler.MalformedPackets,
        DroppedLateOrDuplicate = _assembler.DroppedPackets - _assembler.MalformedPackets,
        DroppedUnauthenticated = _droppedUnauthenticated + Interlocked.Read(ref _stunRejected),
        DroppedReplayed = _droppedReplayed,
        TargetBitrateKbps = _bandwidth.TargetKbps,
        EncoderBitrateKbps = _encoderBitrateKbps,
        RemoteEstimatedBitrate = _remoteRemb,
        RemoteFractionLost = _remoteFractionLost,
        RoundTripMs = _roundTripMs,
        PacketsLost = _receiveStats?.CumulativeLost ?? 0,
        LocalFractionLost = _receiveStats?.LastFractionLost ?? 0,
        SrtpProfile = _profileName,
    };
}
