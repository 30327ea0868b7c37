using PersonaLive.WebRtc.Media;
using PersonaLive.WebRtc.Media.Congestion;
using PersonaLive.WebRtc.Media.Pacing;
using PersonaLive.WebRtc.Rtcp.TransportCc;

namespace PersonaLive.WebRtc.Tests.Congestion;

/// <summary>
/// A one-millisecond-step simulation of our send path through one bottleneck, on a fake clock: an
/// encoder model producing frames of the current target (30 fps, 1100-byte packets, a keyframe after a
/// pacer flush), our <see cref="PacketPacer"/>, a FIFO link of a given capacity, one-way delay and
/// random loss, our own <see cref="TransportCcRecorder"/> writing real transport-cc feedback every
/// 50 ms, parsed by <see cref="TransportFeedbackParser"/> and matched by
/// <see cref="TransportFeedbackAdapter"/> into the <see cref="DelayBasedEstimator"/>, combined (lower
/// of the two) with the loss-based <see cref="BandwidthController"/> fed a receiver report per second.
/// Records each packet's queueing delay at the bottleneck and the delivered bytes.
/// </summary>
internal sealed class BottleneckSimulation
{
    private const int MaxPayload = 1100, Overhead = 40;
    private const long ReceiverClockOffsetUs = 987_654_321; // the peer's clock has its own origin

    private readonly Func<long, double> _capacityKbps;
    private readonly long _oneWayUs;
    private readonly double _loss;
    private readonly Random _random = new(12);
    private readonly PacketPacer _pacer = new(256, 2.5, 400_000);
    private readonly TransportFeedbackAdapter _adapter = new();
    private readonly TransportCcRecorder _recorder = new();
    private readonly BandwidthController _lossBased;
    private readonly Queue<(long ReadyUs, int Bytes, ushort Transport)> _link = new();
    private readonly Queue<(long ArriveUs, ushort Transport, long EnteredUs)> _inFlight = new();
    private readonly Queue<(long DeliverUs, byte[] Feedback)> _feedback = new();
    private readonly byte[] _frame = new byte[MaxPayload];
    private readonly byte[] _rtcp = new byte[4096];
    private readonly PacedPacketSink _sink;
    private long _linkBusyUntilUs;
    private int _sentInReport, _lostInReport;
    private ushort _rtpSequence;
    private bool _keyframe = true;

    public BottleneckSimulation(Func<long, double> capacityKbps, long rttMs, double loss, int startKbps = 1200, int minKbps = 150, int maxKbps = 2500)
    {
        _capacityKbps = capacityKbps;
        _oneWayUs = rttMs * 500;
        _loss = loss;
        Estimator = new DelayBasedEstimator(startKbps, minKbps, maxKbps);
        _adapter.Observer = Estimator;
        _lossBased = new BandwidthController(startKbps, minKbps, maxKbps);
        TargetKbps = startKbps;
        _sink = Transmit;
    }

    public DelayBasedEstimator Estimator { get; }

    public long NowUs { get; private set; }

    public int TargetKbps { get; private set; }

    /// <summary>(time a packet left the bottleneck, its queueing delay there, its size) per delivered packet.</summary>
    public List<(long AtUs, long QueueUs, int Bytes)> Delivered { get; } = new();

    /// <summary>(time, target) once per 100 ms.</summary>
    public List<(long AtUs, int TargetKbps)> Targets { get; } = new();

    /// <summary>Runs the simulation until <paramref name="untilUs"/>.</summary>
    public void RunUntil(long untilUs)
    {
        for (; NowUs < untilUs; NowUs += 1000)
        {
            if (NowUs % 33_333 < 1000)
            {
                EncodeFrame();
            }

            if (_pacer.Drain(NowUs, _sink))
            {
                _keyframe = true;
            }

            ServeLink();
            Receive();
            if (NowUs % 50_000 == 0)
            {
                WriteFeedback();
            }

            DeliverFeedback();
            if (NowUs % 1_000_000 == 0 && _sentInReport > 0)
            {
                _lossBased.OnReceiverReport((double)_lostInReport / _sentInReport);
                (_sentInReport, _lostInReport) = (0, 0);
            }

            TargetKbps = Math.Min(_lossBased.TargetKbps, Estimator.TargetKbps);
            _pacer.SetTargetKbps(TargetKbps);
            if (NowUs % 100_000 == 0)
            {
                Targets.Add((NowUs, TargetKbps));
            }
        }
    }

    /// <summary>Delivered bits per second over [from, to) against the average capacity then (0..1).</summary>
    public double Utilisation(long fromUs, long toUs)
    {
        double bits = Delivered.Where(d => d.AtUs >= fromUs && d.AtUs < toUs).Sum(d => d.Bytes * 8.0);
        double capacityBits = 0;
        for (long t = fromUs; t < toUs; t += 1000)
        {
            capacityBits += _capacityKbps(t);
        }

        return bits / capacityBits;
    }

    /// <summary>The largest queueing delay (ms) of packets leaving the bottleneck in [from, to).</summary>
    public double MaxQueueMs(long fromUs, long toUs) =>
        Delivered.Where(d => d.AtUs >= fromUs && d.AtUs < toUs).Select(d => d.QueueUs / 1000.0).DefaultIfEmpty(0).Max();

    private void EncodeFrame()
    {
        int bytes = TargetKbps * 1000 / 8 / 30 * (_keyframe ? 4 : 1); // a keyframe costs about four frames
        _keyframe = false;
        for (int sent = 0; sent < bytes; sent += MaxPayload)
        {
            int size = Math.Min(MaxPayload, bytes - sent);
            _pacer.Enqueue(_frame.AsSpan(0, size), new PacedPacket(_rtpSequence++, 0, 96, sent + size >= bytes, NowUs));
        }
    }

    private void Transmit(ReadOnlySpan<byte> payload, in PacedPacket packet)
    {
        int bytes = payload.Length + Overhead;
        ushort transport = _adapter.OnPacketSent(bytes, NowUs);
        _sentInReport++;
        if (_random.NextDouble() < _loss)
        {
            _lostInReport++;
            return; // lost before the bottleneck (the receiver sees a gap)
        }

        _link.Enqueue((NowUs, bytes, transport));
    }

    private void ServeLink()
    {
        while (_link.Count > 0)
        {
            var (ready, bytes, transport) = _link.Peek();
            long start = Math.Max(ready, _linkBusyUntilUs);
            long done = start + (long)(bytes * 8 / _capacityKbps(start) * 1000);
            if (done > NowUs)
            {
                return;
            }

            _link.Dequeue();
            _linkBusyUntilUs = done;
            Delivered.Add((done, start - ready, bytes));
            _inFlight.Enqueue((done + _oneWayUs, transport, ready));
        }
    }

    private void Receive()
    {
        while (_inFlight.Count > 0 && _inFlight.Peek().ArriveUs <= NowUs)
        {
            var (arrive, transport, _) = _inFlight.Dequeue();
            _recorder.OnPacket(transport, arrive + ReceiverClockOffsetUs);
        }
    }

    private void WriteFeedback()
    {
        int n;
        while ((n = _recorder.WriteFeedback(_rtcp, 1, 2)) > 0)
        {
            _feedback.Enqueue((NowUs + _oneWayUs, _rtcp.AsSpan(0, n).ToArray()));
        }
    }

    private void DeliverFeedback()
    {
        while (_feedback.Count > 0 && _feedback.Peek().DeliverUs <= NowUs)
        {
            var packet = _feedback.Dequeue().Feedback;
            var parsed = TransportFeedbackParser.Parse(packet) ?? throw new InvalidOperationException("our own feedback did not parse");
            _adapter.OnFeedback(parsed, NowUs);
        }
    }
}
