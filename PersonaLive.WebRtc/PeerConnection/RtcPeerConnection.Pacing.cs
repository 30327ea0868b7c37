namespace PersonaLive.WebRtc.PeerConnection;

public sealed partial class RtcPeerConnection
{
    private Timer? _pacerTimer;
    private int _paceQueued;

    /// <summary>
    /// The pacing timer: armed by the sender when packets are left waiting, it queues one
    /// <see cref="PaceTick"/> on the executor (never a second while one waits), which releases what the
    /// pacing budget allows and re-arms the timer for the next packet until the queue is empty. No thread
    /// and no timer callback while nothing waits.
    /// </summary>
    private void StartPacer()
    {
        _pacerTimer = new Timer(static s => ((RtcPeerConnection)s!).QueuePaceTick(), this, Timeout.Infinite, Timeout.Infinite);
        _sender.PacerWake = ArmPacer;
    }

    private void ArmPacer() => _pacerTimer?.Change(1, Timeout.Infinite);

    private void QueuePaceTick()
    {
        if (!IsClosed && Interlocked.Exchange(ref _paceQueued, 1) == 0)
        {
            _executor.Post(static s => ((RtcPeerConnection)s!).PaceTick(), this);
        }
    }

    private void PaceTick()
    {
        Volatile.Write(ref _paceQueued, 0);
        long nextUs = _sender.DrainPacer(VideoSender.MonotonicUs());
        if (nextUs >= 0 && !IsClosed)
        {
            _pacerTimer?.Change((int)Math.Clamp(nextUs / 1000, 1, 50), Timeout.Infinite);
        }
    }

    private void StopPacer() => _pacerTimer?.Dispose();
}
