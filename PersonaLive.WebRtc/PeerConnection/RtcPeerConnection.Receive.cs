using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PersonaLive.WebRtc.Codecs;
using PersonaLive.WebRtc.Codecs.Vp8;
using PersonaLive.WebRtc.Codecs.Vpx;
using PersonaLive.WebRtc.Dtls;
using PersonaLive.WebRtc.Rtcp;
using PersonaLive.WebRtc.Rtp;
using PersonaLive.WebRtc.Srtp;
using PersonaLive.WebRtc.Transport;

namespace PersonaLive.WebRtc.PeerConnection;

public sealed partial class RtcPeerConnection
{
    private const int MaxEarlyPackets = 64;
    private readonly object _receiveLock = new();
    private IVideoDepacketiser _assembler;
    private readonly Channel<AssembledFrame> _decodeQueue;
    private readonly Queue<(PacketKind Kind, byte[] Data)> _early = new();
    private readonly List<AssembledFrame> _completed = new();
    private SrtpContext? _inbound;
    private RtpReceiveStatistics? _receiveStats;
    private uint _remoteSsrc;
    private Task? _decodeTask;
    private volatile bool _decoderNeedsKeyframe;
    private (ulong Ntp, uint Rtp)? _remoteClock;
    private string? _profileName;
    private long _decoderSkipped;
    private long _packetsReceived, _bytesReceived, _framesDecoded, _keyframesDecoded, _framesAssembled;
    private long _droppedMalformed, _droppedUnauthenticated, _droppedReplayed;
    private long _nacksReceived, _plisReceived, _firsReceived, _retransmissions;
    private double _remoteFractionLost;
    private double? _roundTripMs;
    private ulong? _remoteRemb;
    private long _lastKeyframeRequestMs = -1_000_000;

    /// <summary>A non-STUN datagram from an address the server mapped to us.</summary>
    internal void HandleDatagram(PacketKind kind, ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        if (_closing.IsCancellationRequested)
        {
            return;
        }

        if (!IsValidTuple(source))
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

        lock (_receiveLock)
        {
            if (_inbound is null)
            {
                if (_early.Count < MaxEarlyPackets)
                {
                    _early.Enqueue((kind, datagram.ToArray()));
                }

                return;
            }

            Span<byte> buffer = stackalloc byte[datagram.Length];
            datagram.CopyTo(buffer);
            ProcessSecure(kind, buffer);
        }
    }

    private void OnDtlsConnected(SrtpKeyingMaterial keys)
    {
        lock (_sendLock)
        {
            _outbound = keys.CreateOutbound();
        }

        lock (_receiveLock)
        {
            _inbound = keys.CreateInbound();
            _profileName = keys.Profile.ToString();
            while (_early.Count > 0)
            {
                var (kind, data) = _early.Dequeue();
                ProcessSecure(kind, data);
            }
        }

        if (_video!.WeReceive)
        {
            _decodeTask = Task.Factory.StartNew(DecodeLoop, TaskCreationOptions.LongRunning).Unwrap();
        }

        if (_video.WeSend)
        {
            // A joining receiver needs a keyframe; raised before Connected so observers of the state
            // can rely on the request having been made.
            RaiseKeyframeRequested(force: true);
        }

        SetState(PeerConnectionState.Connected);
    }

    /// <summary>Runs under <see cref="_receiveLock"/>.</summary>
    private void ProcessSecure(PacketKind kind, Span<byte> buffer)
    {
        var result = kind == PacketKind.Rtp
            ? _inbound!.UnprotectRtp(buffer, buffer.Length, out int length)
            : _inbound!.UnprotectRtcp(buffer, buffer.Length, out length);
        switch (result)
        {
            case SrtpResult.Ok:
                Volatile.Write(ref _lastConsentMs, NowMs); // authenticated media proves the peer is alive as well as a consent check does
                break;
            case SrtpResult.Replayed:
                _droppedReplayed++;
                return;
            case SrtpResult.AuthenticationFailed:
                _droppedUnauthenticated++;
                return;
            default:
                _droppedMalformed++;
                return;
        }

        _packetsReceived++;
        _bytesReceived += buffer.Length;
        if (kind == PacketKind.Rtp)
        {
            OnRtp(buffer[..length]);
        }
        else
        {
            OnRtcp(buffer[..length]);
        }
    }

    private void OnRtp(ReadOnlySpan<byte> packet)
    {
        if (!RtpHeader.TryParse(packet, out var header) || !header.TryGetPayload(packet, out var payload))
        {
            _droppedMalformed++;
            return;
        }

        if (header.PayloadType != _video!.Vp8PayloadType || !_video.WeReceive)
        {
            return; // e.g. RTX or FEC we did not negotiate
        }

        if (_remoteSsrc == 0)
        {
            _remoteSsrc = header.Ssrc;
            _receiveStats = new RtpReceiveStatistics(header.Ssrc);
        }
        else if (header.Ssrc != _remoteSsrc)
        {
            return;
        }

        long now = NowMs;
        _receiveStats!.OnPacket(header.SequenceNumber, header.Timestamp, now);
        bool retransmitted = _nacks.WasRequested(header.SequenceNumber);
        _nacks.OnReceived(header.SequenceNumber);
        _assembler.Insert(header.SequenceNumber, header.Timestamp, header.Marker, payload, retransmitted, now, _completed);
        FlushCompleted();
    }

    private void FlushCompleted()
    {
        foreach (var frame in _completed)
        {
            _decodeQueue.Writer.TryWrite(frame);
        }

        _completed.Clear();
    }

    private void OnRtcp(ReadOnlySpan<byte> packet)
    {
        var report = RtcpReport.Parse(packet);
        if (report is null)
        {
            _droppedMalformed++;
            return;
        }

        long now = NowMs;
        foreach (var sr in report.SenderReports)
        {
            if (sr.Ssrc == _remoteSsrc || _remoteSsrc == 0)
            {
                _receiveStats?.OnSenderReport(sr.NtpTime, now);
                _remoteClock = (sr.NtpTime, sr.RtpTimestamp);
            }
        }

        foreach (var block in report.ReportBlocks)
        {
            if (block.Ssrc == _localSsrc)
            {
                _remoteFractionLost = block.FractionLost / 256.0;
                if (block.LastSenderReport != 0)
                {
                    // RFC 3550 section 6.4.1: RTT = arrival - LSR - DLSR, in 1/65536 s (middle 32 bits of NTP)
                    uint rtt = NtpTime.Middle32(NtpTime.Now()) - block.LastSenderReport - block.DelaySinceLastSenderReport;
                    if (rtt < 65536u * 10)
                    {
                        _roundTripMs = rtt * 1000.0 / 65536;
                    }
                }

                ApplyBitrate(_bandwidth.OnReceiverReport(_remoteFractionLost));
            }
        }

        if (report.RembBitrate is ulong remb)
        {
            _remoteRemb = remb;
            ApplyBitrate(_bandwidth.OnRemb(remb));
        }

        _plisReceived += report.PliMediaSsrcs.Count;
        _firsReceived += report.FirMediaSsrcs.Count;
        if (report.PliMediaSsrcs.Count + report.FirMediaSsrcs.Count > 0)
        {
            RaiseKeyframeRequested(force: false);
        }

        if (report.NackedSequences.Count > 0)
        {
            _nacksReceived++;
            _retransmissions += Retransmit(report.NackedSequences);
        }

        if (report.ByeSsrcs.Contains(_remoteSsrc) && _remoteSsrc != 0)
        {
            _logger.LogInformation("Remote sent RTCP BYE");
        }
    }

    /// <summary>Coalesces keyframe requests to one per 300 ms (a lossy viewer must not cause a keyframe storm).</summary>
    private void RaiseKeyframeRequested(bool force)
    {
        long now = NowMs;
        if (!force && now - _lastKeyframeRequestMs < 300)
        {
            return;
        }

        _lastKeyframeRequestMs = now;
        _forceKeyframe = true;
        try
        {
            KeyframeRequested?.Invoke(this, EventArgs.Empty);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "KeyframeRequested handler threw");
        }
    }
}
