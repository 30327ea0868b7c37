using System.Net;
using Microsoft.Extensions.Logging;
using PersonaLive.WebRtc.Dtls;
using PersonaLive.WebRtc.Ice;
using PersonaLive.WebRtc.Rtcp;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Transport;

namespace PersonaLive.WebRtc.PeerConnection;

public sealed partial class RtcPeerConnection
{
    private long _droppedUnauthenticated, _droppedMalformed;
    private long _nacksReceived, _plisReceived, _firsReceived;
    private volatile RemoteFeedback _feedback = new(0, null, null);
    private readonly RtcpReportPool _rtcpReports = new();
    private Action<object?>? _onRtcp;

    /// <summary>
    /// Socket thread: an authenticated Binding request (answerer role) is answered at once, its path
    /// becomes valid (and selected when first or nominated, RFC 8445 section 7.3.1.5); the state change
    /// it may cause runs on the executor.
    /// </summary>
    internal void HandleStunRequest(StunMessage request, IPEndPoint source, UdpMediaSocket via)
    {
        if (IsClosed)
        {
            return;
        }

        if (_isOfferer)
        {
            HandleStunRequestAsControlling(request, source, via);
            return;
        }

        var result = _ice.HandleRequest(request, source, NowMs);
        if (result.Response is not null)
        {
            RtcMediaServer.Reply(result.Response, source, via);
        }

        if (!result.Accepted)
        {
            return;
        }

        _server.Bind(source, this);
        if (result.Select)
        {
            if (result.SelectionChanged)
            {
                _logger.LogInformation("ICE selected {Remote} (nominated: {Nominated})", source, result.Nominated);
            }

            _server.Route(source, via);
        }

        _executor.Post(static s => ((RtcPeerConnection)s!).OnConsent(), this);
    }

    /// <summary>Socket thread: a full answerer's own check of us (offerer role) is answered; a new address is bound to us so our triggered check's response finds us.</summary>
    private void HandleStunRequestAsControlling(StunMessage request, IPEndPoint source, UdpMediaSocket via)
    {
        if (!_ice.IsControlling)
        {
            return; // an offer without an answer yet: nothing to authenticate against the remote
        }

        var result = _ice.HandleRequestAsControlling(request, source, NowMs, out bool newAddress);
        if (result.Response is not null)
        {
            RtcMediaServer.Reply(result.Response, source, via);
        }

        if (result.Accepted)
        {
            _server.Bind(source, this);
            _server.Route(source, via);
            if (newAddress)
            {
                _logger.LogInformation("ICE learnt peer-reflexive candidate {Remote}", source);
            }

            _executor.Post(static s => ((RtcPeerConnection)s!).Tick(), this); // a triggered check leaves now
        }
    }

    /// <summary>Socket thread: a response to one of our checks (offerer role); the first success starts the DTLS client.</summary>
    internal void HandleStunResponse(StunMessage response, IPEndPoint source)
    {
        bool first = _ice.HandleResponse(response, source, NowMs, out bool accepted);
        if (!accepted || IsClosed)
        {
            return;
        }

        if (first)
        {
            _logger.LogInformation("ICE check to {Remote} succeeded; selected", source);
            if (_dtlsWaitsForIce)
            {
                _executor.Post(static s => ((RtcPeerConnection)s!)._dtls?.Start(), this);
            }
        }
        else
        {
            _executor.Post(static s => ((RtcPeerConnection)s!).OnConsent(), this);
        }
    }

    /// <summary>Executor: fresh consent moves New to Connecting and Disconnected back to Connected.</summary>
    private void OnConsent()
    {
        if (ConnectionState == PeerConnectionState.New && !_isOfferer)
        {
            SetState(PeerConnectionState.Connecting);
        }
        else if (ConnectionState == PeerConnectionState.Disconnected && _srtp.CanSend)
        {
            SetState(PeerConnectionState.Connected);
        }
    }

    /// <summary>Socket thread: a non-STUN datagram from an address the server mapped to us.</summary>
    internal void HandleDatagram(PacketKind kind, ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        if (IsClosed)
        {
            return;
        }

        if (!_ice.IsValid(source))
        {
            Interlocked.Increment(ref _droppedUnauthenticated); // only ICE-authenticated tuples may talk DTLS/SRTP
            return;
        }

        if (kind == PacketKind.Dtls)
        {
            if (!DtlsRecordLayout.IsWellFormed(datagram))
            {
                Interlocked.Increment(ref _droppedMalformed); // BouncyCastle would drop it without a trace
                return;
            }

            if (_dtls is { } dtls && dtls.Enqueue(datagram) != DtlsRecordAuthenticityFilter.Verdict.None)
            {
                Interlocked.Increment(ref _droppedUnauthenticated); // RFC 6347 section 4.1.2.7: discarded silently
            }

            return;
        }

        Span<byte> buffer = stackalloc byte[datagram.Length];
        datagram.CopyTo(buffer);
        ProcessSecure(kind, buffer);
    }

    /// <summary>
    /// Unprotects one SRTP/SRTCP packet (kept by the SRTP part until the keys exist); RTP goes to the
    /// receiver on this thread, RTCP is parsed here and acted on by the executor.
    /// </summary>
    private void ProcessSecure(PacketKind kind, Span<byte> buffer)
    {
        if (!_srtp.TryUnprotect(kind, buffer, out int length))
        {
            return;
        }

        long now = NowMs;
        _ice.RefreshConsent(now); // authenticated media proves the peer is alive as well as a consent check does
        _receiver.CountPacket(buffer.Length);
        if (kind == PacketKind.Rtp)
        {
            if (TryTakeAudio(buffer[..length]))
            {
                return;
            }

            _receiver.OnRtpPacket(buffer[..length], now);
            return;
        }

        var report = _rtcpReports.Rent();
        if (!report.Read(buffer[..length]))
        {
            _rtcpReports.Return(report);
            Interlocked.Increment(ref _droppedMalformed);
            return;
        }

        _executor.Post(_onRtcp ??= r => OnRtcp((RtcpReport)r!), report);
    }

    /// <summary>Executor: acts on one parsed datagram, then gives its report back to the pool.</summary>
    private void OnRtcp(RtcpReport report)
    {
        try
        {
            if (!IsClosed)
            {
                ActOnRtcp(report);
            }
        }
        finally
        {
            _rtcpReports.Return(report);
        }
    }

    /// <summary>Executor: SR to the receiver; report blocks, REMB and NACKs to the sender; PLI/FIR to <see cref="KeyframeRequested"/>.</summary>
    private void ActOnRtcp(RtcpReport report)
    {
        long now = NowMs;
        foreach (var sr in report.SenderReports)
        {
            if (!_audioReceiver.OnSenderReport(sr.Ssrc, sr.NtpTime, sr.RtpTimestamp))
            {
                _receiver.OnSenderReport(sr.Ssrc, sr.NtpTime, sr.RtpTimestamp, now);
            }
        }

        var feedback = _feedback;
        foreach (var block in report.ReportBlocks)
        {
            if (block.Ssrc == _sender.Ssrc)
            {
                double rtt = feedback.RoundTripMs ?? -1;
                if (block.LastSenderReport != 0)
                {
                    // RFC 3550 section 6.4.1: RTT = arrival - LSR - DLSR, in 1/65536 s (middle 32 bits of NTP)
                    uint delay = NtpTime.Middle32(NtpTime.Now()) - block.LastSenderReport - block.DelaySinceLastSenderReport;
                    if (delay < 65536u * 10)
                    {
                        rtt = delay * 1000.0 / 65536;
                    }
                }

                feedback = feedback with { FractionLost = block.FractionLost / 256.0, RoundTripMs = rtt < 0 ? null : rtt };
                _sender.OnReceiverReport(feedback.FractionLost);
            }
        }

        if (report.RembBitrate is ulong remb)
        {
            feedback = feedback with { Remb = remb };
            _sender.OnRemb(remb);
        }

        _feedback = feedback;
        for (int i = 0; i < report.TransportFeedbackHeaders.Count; i++)
        {
            _sender.OnTransportFeedback(report.PacketsOf(i));
        }

        Interlocked.Add(ref _plisReceived, report.PliMediaSsrcs.Count);
        Interlocked.Add(ref _firsReceived, report.FirMediaSsrcs.Count);
        if (report.PliMediaSsrcs.Count + report.FirMediaSsrcs.Count > 0)
        {
            RaiseKeyframeRequested(force: false);
        }

        if (report.NackedSequences.Count > 0)
        {
            Interlocked.Increment(ref _nacksReceived);
            _sender.Retransmit(report.NackedSequences, _ice.Selected, now);
        }

        uint remote = _receiver.RemoteSsrc;
        if (remote != 0 && report.ByeSsrcs.Contains(remote))
        {
            _logger.LogInformation("Remote sent RTCP BYE");
        }
    }

    /// <summary>What the peer last reported about our stream (replaced whole, so readers see a consistent set).</summary>
    private sealed record RemoteFeedback(double FractionLost, double? RoundTripMs, ulong? Remb);
}
