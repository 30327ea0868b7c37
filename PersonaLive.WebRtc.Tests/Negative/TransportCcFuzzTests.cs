using CsCheck;
using PersonaLive.WebRtc.Diagnostics;
using PersonaLive.WebRtc.Media;
using PersonaLive.WebRtc.Rtcp;
using PersonaLive.WebRtc.Rtcp.TransportCc;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Negative;

/// <summary>
/// Bounded fuzz of the transport-cc path: random and mutated feedback packets either parse or are
/// rejected (never throw), and whatever parses, fed to the sender's matcher, can only report packets
/// we sent, each at most once as received, however often it is replayed.
/// </summary>
public sealed class TransportCcFuzzTests
{
    private static readonly byte[] Seed = TestData.Hex(TestData.KeyValues("transport-cc-feedback.txt")["packet"]);

    [Fact]
    public void Random_feedback_bodies_never_break_the_parser_or_the_matcher()
    {
        var adapter = NewAdapter(out int sent);
        Gen.Byte.Array[0, 600].Sample(body =>
        {
            var packet = new byte[20 + body.Length];
            Seed.AsSpan(0, 12).CopyTo(packet);
            packet[0] = 0x8F; // no padding: the length below covers everything
            packet[2] = (byte)((packet.Length / 4 - 1) >> 8);
            packet[3] = (byte)(packet.Length / 4 - 1);
            body.CopyTo(packet, 12);
            ParserFuzzer.Exercise(packet);
            if (TransportFeedbackParser.Parse(packet) is { } fb)
            {
                Assert.InRange(fb.Packets.Count, 1, TransportFeedback.MaxPacketStatusCount);
                adapter.OnFeedback(fb, 0);
            }
        }, iter: 3000, threads: 1);
        Assert.InRange(adapter.PacketsReported, 0, sent);
    }

    [Fact]
    public void Mutated_and_replayed_feedback_reports_each_sent_packet_at_most_once()
    {
        var adapter = NewAdapter(out int sent);
        var observer = new Count();
        adapter.Observer = observer;
        Gen.Int[0, int.MaxValue].Sample(seed =>
        {
            var random = new Random(seed);
            var mutated = ParserFuzzer.Mutate(Seed, random);
            ParserFuzzer.Exercise(mutated);
            foreach (var fb in RtcpReport.Parse(mutated)?.TransportFeedbacks ?? [])
            {
                adapter.OnFeedback(fb, 0);
                adapter.OnFeedback(fb, 0); // replayed
            }
        }, iter: 5000, threads: 1);
        Assert.InRange(adapter.PacketsReported, 0, sent);
        Assert.Equal(adapter.PacketsReported, observer.Received);
    }

    private static TransportFeedbackAdapter NewAdapter(out int sent)
    {
        var adapter = new TransportFeedbackAdapter();
        sent = 40;
        for (int i = 0; i < sent; i++)
        {
            adapter.OnPacketSent(1200, 1000L * i);
        }

        return adapter;
    }

    private sealed class Count : ITransportFeedbackObserver
    {
        public long Received { get; private set; }

        public void OnPacketResults(IReadOnlyList<PacketResult> results, long nowUs) => Received += results.Count(r => r.Received);
    }
}
