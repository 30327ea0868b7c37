using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace PersonaLive.WebRtc.PeerConnection;

public sealed partial class RtcPeerConnection
{
    private readonly List<ushort> _dueNacks = new();
    private readonly long _createdMs = Environment.TickCount64;
    private Action? _clockTick;
    private int _tickQueued;
    private long _lastReportMs;

    /// <summary>Joins the process's shared 20 ms <see cref="TickClock"/> (once; left again in <see cref="Close"/>).</summary>
    private void StartTimer()
    {
        if (_clockTick is not null)
        {
            return;
        }

        _clockTick = QueueTick;
        TickClock.Add(_clockTick);
        if (IsClosed)
        {
            TickClock.Remove(_clockTick); // Close ran meanwhile and may have missed the registration
        }
    }

    private void StopTimer()
    {
        if (_clockTick is { } tick)
        {
            TickClock.Remove(tick);
        }
    }

    /// <summary>The clock's callback: queues one <see cref="Tick"/> on the executor (never a second while one is waiting).</summary>
    private void QueueTick()
    {
        if (Interlocked.Exchange(ref _tickQueued, 1) == 0)
        {
            _executor.Post(static s => ((RtcPeerConnection)s!).Tick(), this);
        }
    }

    /// <summary>
    /// Executor: ICE checks (offerer), consent, frame-loss timeouts, NACKs, PLI (at most one per 300 ms
    /// while a keyframe is needed), and about every second RR/SR + SDES + REMB.
    /// </summary>
    private void Tick()
    {
        Volatile.Write(ref _tickQueued, 0);
        long now = NowMs;
        if (IsClosed)
        {
            return;
        }

        if (_ice.CheckDue(now) is var (request, to))
        {
            _server.Send(request, to);
        }

        CheckConsent(now);
        if (!_srtp.CanSend || IsClosed)
        {
            return;
        }

        _dueNacks.Clear();
        var video = _video!;
        bool pli = _receiver.Tick(now, video.Nack && _options.NackEnabled, _dueNacks, _feedback.RoundTripMs);
        bool report = now - _lastReportMs >= 1000;
        if (report)
        {
            _lastReportMs = now;
            _receiver.AdjustRemb();
            SendAudioReport();
        }

        if (report || pli || _dueNacks.Count > 0)
        {
            SendRtcp(report, CollectionsMarshal.AsSpan(_dueNacks), pli);
        }

        SendTransportFeedback(now);
    }

    /// <summary>Consent freshness: Disconnected after a third of the timeout without consent, Failed after all of it.</summary>
    private void CheckConsent(long now)
    {
        long timeout = _options.ConsentTimeoutSeconds * 1000L;
        switch (_ice.CheckConsent(now, _createdMs, timeout, out long silent))
        {
            case IceAgent.Consent.NeverChecked when _video is not null:
                Fail("no ICE connectivity check arrived");
                break;
            case IceAgent.Consent.Failed:
                Fail($"no ICE consent for {silent / 1000} s");
                break;
            case IceAgent.Consent.Stale when ConnectionState == PeerConnectionState.Connected:
                SetState(PeerConnectionState.Disconnected);
                break;
        }
    }

    /// <summary>Counters of this connection, from any thread (each part gives a consistent view of its own).</summary>
    public PeerConnectionStats GetStats()
    {
        var feedback = _feedback;
        var s = new PeerConnectionStats
        {
            State = ConnectionState,
            DroppedMalformed = Interlocked.Read(ref _droppedMalformed) + _srtp.DroppedMalformed,
        };
        s = _sender.AddTo(_receiver.AddTo(s));
        return s with
        {
            BytesSent = _srtp.BytesSent,
            NacksReceived = Interlocked.Read(ref _nacksReceived),
            PlisReceived = Interlocked.Read(ref _plisReceived),
            FirsReceived = Interlocked.Read(ref _firsReceived),
            DroppedUnauthenticated = Interlocked.Read(ref _droppedUnauthenticated) + _srtp.DroppedUnauthenticated + _ice.Rejected,
            DroppedReplayed = _srtp.DroppedReplayed,
            RemoteEstimatedBitrate = feedback.Remb,
            RemoteFractionLost = feedback.FractionLost,
            RoundTripMs = feedback.RoundTripMs,
            SrtpProfile = _srtp.ProfileName,
            HandlerFailures = _handlers.Failures,
            InternalErrors = _executor.Failures,
            TransportFeedbackSent = _receiver.TransportFeedbackSent,
        };
    }
}
