using System.Diagnostics.Metrics;
using PersonaLive.Web.Live.Media;
using PersonaLive.WebRtc.PeerConnection;

namespace PersonaLive.Web.Live.Diagnostics;

/// <summary>
/// The media port and the sessions' transports on the Prometheus endpoint, read at scrape time:
/// <c>personalive.media_port.dropped{reason}</c> (malformed, unknown_source, unauthenticated, replayed,
/// handler_error), port-wide packets/bytes in and out, NACKs and PLIs received; and per live session
/// (<c>session</c> tag; at most Limits:MaxSessions series) packets, bytes, NACKs, PLIs, RTT and the loss
/// the browser reports. Lives in the <see cref="LiveMetrics.MeterName"/> meter.
/// </summary>
internal static class TransportMetrics
{
    /// <summary>Creates the instruments on <paramref name="meter"/>; the delegates are called on every scrape.</summary>
    public static void Observe(Meter meter, Func<MediaPortTotals?> port, Func<IEnumerable<(string Session, MediaPeerStats Stats)>> sessions)
    {
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(port);
        ArgumentNullException.ThrowIfNull(sessions);
        meter.CreateObservableCounter("personalive.media_port.dropped", () => Dropped(port()), "{packet}",
            "Datagrams the media port dropped, by reason (handler_error is a bug when not 0).");
        PortCounter(meter, port, "personalive.media_port.packets_received", t => t.PacketsReceived, "{packet}", "Authenticated media packets received, all sessions.");
        PortCounter(meter, port, "personalive.media_port.bytes_received", t => t.BytesReceived, "By", "Authenticated media bytes received, all sessions.");
        PortCounter(meter, port, "personalive.media_port.packets_sent", t => t.PacketsSent, "{packet}", "Media packets sent, all sessions.");
        PortCounter(meter, port, "personalive.media_port.bytes_sent", t => t.BytesSent, "By", "Media bytes sent, all sessions.");
        PortCounter(meter, port, "personalive.media_port.nacks_received", t => t.NacksReceived, "{packet}", "RTCP NACKs received, all sessions.");
        PortCounter(meter, port, "personalive.media_port.plis_received", t => t.PlisReceived, "{packet}", "Keyframe requests (PLI, FIR) received, all sessions.");

        SessionGauge(meter, sessions, "personalive.session.packets_received", s => s.PacketsReceived, "{packet}", "Media packets received from the browser.");
        SessionGauge(meter, sessions, "personalive.session.packets_sent", s => s.PacketsSent, "{packet}", "Media packets sent to the browser.");
        SessionGauge(meter, sessions, "personalive.session.bytes_received", s => s.BytesReceived, "By", "Media bytes received from the browser.");
        SessionGauge(meter, sessions, "personalive.session.bytes_sent", s => s.BytesSent, "By", "Media bytes sent to the browser.");
        SessionGauge(meter, sessions, "personalive.session.nacks_received", s => s.NacksReceived, "{packet}", "NACKs the browser sent.");
        SessionGauge(meter, sessions, "personalive.session.plis_received", s => s.PlisReceived, "{packet}", "Keyframe requests the browser sent.");
        SessionGauge(meter, sessions, "personalive.session.packets_lost", s => s.PacketsLost, "{packet}", "Camera packets that never arrived.");
        SessionGauge(meter, sessions, "personalive.session.remote_fraction_lost", s => s.RemoteFractionLost, "1", "Share of our packets the browser last reported lost.");
        meter.CreateObservableGauge("personalive.session.round_trip", () => sessions()
            .Where(s => s.Stats.RoundTripMs is not null)
            .Select(s => new Measurement<double>(s.Stats.RoundTripMs!.Value, new KeyValuePair<string, object?>("session", s.Session))),
            "ms", "Round-trip time from the browser's receiver reports (RFC 3550 section 6.4.1).");
    }

    private static IEnumerable<Measurement<long>> Dropped(MediaPortTotals? t) => t is null ? [] :
    [
        Reason(t.DroppedMalformed, "malformed"), Reason(t.DroppedUnknownSource, "unknown_source"),
        Reason(t.DroppedUnauthenticated, "unauthenticated"), Reason(t.DroppedReplayed, "replayed"), Reason(t.HandlerErrors, "handler_error"),
    ];

    private static Measurement<long> Reason(long value, string reason) => new(value, new KeyValuePair<string, object?>("reason", reason));

    private static void PortCounter(Meter meter, Func<MediaPortTotals?> port, string name, Func<MediaPortTotals, long> value, string unit, string description) =>
        meter.CreateObservableCounter(name, () => port() is { } t ? [new Measurement<long>(value(t))] : Array.Empty<Measurement<long>>(), unit, description);

    private static void SessionGauge(Meter meter, Func<IEnumerable<(string Session, MediaPeerStats Stats)>> sessions, string name,
        Func<MediaPeerStats, double> value, string unit, string description) =>
        meter.CreateObservableGauge(name, () => sessions().Select(s => new Measurement<double>(value(s.Stats), new KeyValuePair<string, object?>("session", s.Session))), unit, description);
}
