using System.Globalization;
using PersonaLive.Web.Live.Sessions;

namespace PersonaLive.Web.Live.Benchmarks;

/// <summary>
/// Counters summed over a sessions ramp step's clients (and, for our own host, its sessions), read at the
/// start and the end of a measuring window. Their difference puts every frame of the window somewhere:
/// the engine's output, the frames our transport sent, the retransmissions and keyframe requests between
/// the two ends, what the clients assembled or gave up, the kernel's UDP receive-buffer drops (all sockets
/// of this network namespace; other processes' too, so a non-zero figure is a hint, not a proof) and this
/// process's garbage-collection pauses. It exists because the clients once counted 21 fps while the
/// server's 2-second rate meter read 30: a window's log line must say which part lost the frames.
/// </summary>
internal sealed record StepCounters(
    long EngineOut, long TransportSent, long Retransmissions, long PlisReceived, long ServerPacerFlushes,
    long ClientPackets, long ClientAssembled, long ClientLost, long ClientPacketsLost, long ClientNacks, long ClientPlis,
    long ClientLate, long UdpRcvbufErrors, TimeSpan GcPause, int Gen2)
{
    /// <summary>Reads the counters now; <paramref name="sessions"/> is null when the server is not ours (aiortc).</summary>
    public static StepCounters Read(List<SyntheticLiveClient> clients, LiveSessionManager? sessions)
    {
        ArgumentNullException.ThrowIfNull(clients);
        long engineOut = 0, sent = 0, resent = 0, plisIn = 0, flushes = 0;
        long packets = 0, assembled = 0, lost = 0, packetsLost = 0, nacks = 0, plis = 0, late = 0;
        lock (clients)
        {
            foreach (var c in clients)
            {
                var s = c.Peer.GetStats();
                packets += s.PacketsReceived;
                assembled += s.FramesAssembled;
                lost += s.FramesLost;
                packetsLost += s.PacketsLost;
                nacks += s.NacksSent;
                plis += s.PlisSent;
                late += s.DroppedLateOrDuplicate;
                if (sessions?.Find(c.SessionId) is not { } session) continue;
                engineOut += session.GetStats().FramesSent;
                var t = session.GetTransportStats();
                sent += t.FramesSent;
                resent += t.Retransmissions;
                plisIn += t.PlisReceived;
                flushes += t.PacerFlushes;
            }
        }
        return new(engineOut, sent, resent, plisIn, flushes, packets, assembled, lost, packetsLost, nacks, plis, late,
            ReadUdpRcvbufErrors(), GC.GetTotalPauseDuration(), GC.CollectionCount(2));
    }

    /// <summary>What happened between <paramref name="start"/> and now, field by field.</summary>
    public StepCounters Since(StepCounters start)
    {
        ArgumentNullException.ThrowIfNull(start);
        return new(EngineOut - start.EngineOut, TransportSent - start.TransportSent, Retransmissions - start.Retransmissions,
            PlisReceived - start.PlisReceived, ServerPacerFlushes - start.ServerPacerFlushes, ClientPackets - start.ClientPackets,
            ClientAssembled - start.ClientAssembled, ClientLost - start.ClientLost, ClientPacketsLost - start.ClientPacketsLost,
            ClientNacks - start.ClientNacks, ClientPlis - start.ClientPlis, ClientLate - start.ClientLate,
            UdpRcvbufErrors - start.UdpRcvbufErrors, GcPause - start.GcPause, Gen2 - start.Gen2);
    }

    /// <summary>One log line for a window's difference; per-session means where <paramref name="sessions"/> sessions share the window.</summary>
    public string Describe(int sessions, double seconds, bool ourServer)
    {
        var perSession = Math.Max(1, sessions) * seconds;
        var server = ourServer
            ? string.Create(CultureInfo.InvariantCulture, $"server: engine out {EngineOut / perSession:0.0} fps, transport sent {TransportSent / perSession:0.0} fps, {Retransmissions} resent, {PlisReceived} PLIs in, {ServerPacerFlushes} pacer flushes; ")
            : "";
        return server + string.Create(CultureInfo.InvariantCulture,
            $"clients: assembled {ClientAssembled / perSession:0.0} fps, {ClientLost} frames given up, {ClientPacketsLost} packets lost, {ClientNacks} NACKs, {ClientPlis} PLIs, {ClientLate} late/duplicate packets, {ClientPackets / perSession:0} packets/s; " +
            $"kernel UDP receive-buffer drops {UdpRcvbufErrors}; GC pauses {GcPause.TotalMilliseconds:0} ms, {Gen2} gen-2");
    }

    /// <summary>UDP and UDP6 RcvbufErrors of this network namespace (RFC 4113's udpInErrors includes them); 0 where the files are missing.</summary>
    private static long ReadUdpRcvbufErrors() => ReadSnmp("/proc/net/snmp", "Udp:", "RcvbufErrors") + ReadSnmp6("Udp6RcvbufErrors");

    private static long ReadSnmp(string path, string prefix, string field)
    {
        try
        {
            var lines = File.ReadAllLines(path).Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
            if (lines.Length < 2) return 0;
            var names = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var values = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var i = Array.IndexOf(names, field);
            return i > 0 && i < values.Length ? long.Parse(values[i], CultureInfo.InvariantCulture) : 0;
        }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
    }

    private static long ReadSnmp6(string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/net/snmp6"))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 2 && parts[0] == field) return long.Parse(parts[1], CultureInfo.InvariantCulture);
            }
            return 0;
        }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
    }
}
