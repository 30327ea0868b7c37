using PersonaLive.Web.Live.Sessions;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// Our server's own view of the sessions benchmark's clients, for its log: each session's fps in and out
/// as the server's rate meters read them over their last 2 s (0 for a session that is gone), the camera
/// frames its frame gate dropped (an engine worker more than one frame late keeps only the newest waiting
/// frame: latency first, so a stalled worker shows as drops) and the lowest send target our bandwidth estimate allows now.
/// </summary>
internal sealed class ServerView(LiveSessionManager sessions)
{
    /// <summary>The session manager the clients' sessions live in.</summary>
    public LiveSessionManager Sessions => sessions;

    public double[] FpsOut(List<SyntheticLiveClient> clients)
    {
        lock (clients) return clients.Select(c => sessions.Find(c.SessionId)?.GetStats().FpsOut ?? 0).ToArray();
    }

    public double[] FpsIn(List<SyntheticLiveClient> clients)
    {
        lock (clients) return clients.Select(c => sessions.Find(c.SessionId)?.GetStats().FpsIn ?? 0).ToArray();
    }

    public long Dropped(List<SyntheticLiveClient> clients)
    {
        lock (clients) return clients.Sum(c => sessions.Find(c.SessionId)?.GetStats().FramesDropped ?? 0);
    }

    /// <summary>The lowest send target (kb/s) of the clients' sessions now: what our bandwidth estimate allows.</summary>
    public int MinTargetKbps(List<SyntheticLiveClient> clients)
    {
        lock (clients)
        {
            var targets = clients.Select(c => sessions.Find(c.SessionId)?.GetTransportStats().TargetBitrateBps / 1000).OfType<long>().ToList();
            return targets.Count == 0 ? 0 : (int)targets.Min();
        }
    }
}
