using CsCheck;
using PersonaLive.WebRtc.Media;
using PersonaLive.WebRtc.Rtcp;
using PersonaLive.WebRtc.Rtcp.TransportCc;
using PersonaLive.WebRtc.Tests.Support;

namespace PersonaLive.WebRtc.Tests.Vectors;

/// <summary>Transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1): vectors, round trips, and the bounds of both ends.</summary>
public sealed class TransportCcTests
{
    private static readonly Dictionary<string, string> V = TestData.KeyValues("transport-cc-feedback.txt");

    private static long[] Arrivals => V["arrivals_us"].Split(' ').Select(long.Parse).ToArray();

    [Fact]
    public void Vector_parses_to_the_expected_arrivals()
    {
        var report = RtcpReport.Parse(TestData.Hex(V["packet"]));
        Assert.NotNull(report);
        var fb = Assert.Single(report!.TransportFeedbacks);
        Assert.Equal((1u, 2u, (ushort)5, 1, (byte)7), (fb.SenderSsrc, fb.MediaSsrc, fb.BaseSequence, fb.ReferenceTime64Ms, fb.FeedbackCount));
        var expected = Arrivals;
        Assert.Equal(expected.Length, fb.Packets.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal((ushort)(5 + i), fb.Packets[i].Sequence);
            Assert.Equal(expected[i] >= 0, fb.Packets[i].Received);
            Assert.Equal(Math.Max(0, expected[i]), fb.Packets[i].ArrivalOffsetUs);
        }
    }

    [Fact]
    public void Writer_reproduces_the_vector_byte_for_byte()
    {
        var b = new byte[64];
        int n = TransportFeedbackWriter.Write(b, 1, 2, 5, 7, Arrivals);
        Assert.Equal(V["packet"].Replace(" ", "", StringComparison.Ordinal), Convert.ToHexString(b, 0, n));
    }

    [Theory]
    [InlineData("run_length_chunk", 221, "0")]
    [InlineData("one_bit_vector_chunk", 14, "01111100011100")]
    public void Draft_chunk_examples_decode(string key, int count, string pattern)
    {
        // Header + the chunk + one small delta per received symbol.
        var chunk = TestData.Hex(V[key]);
        int received = pattern.Count(c => c == '1');
        var p = new byte[(20 + 2 + received + 3) & ~3];
        p[0] = 0x8F;
        p[1] = 205;
        p[2] = 0;
        p[3] = (byte)(p.Length / 4 - 1);
        p[15] = (byte)count;
        chunk.CopyTo(p, 20);
        var fb = TransportFeedbackParser.Parse(p);
        Assert.NotNull(fb);
        Assert.Equal(count, fb!.Packets.Count);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(pattern[i % pattern.Length] == '1', fb.Packets[i].Received);
        }
    }

    [Fact]
    public void Malformed_feedback_is_rejected()
    {
        var good = TestData.Hex(V["packet"]);
        Assert.Null(TransportFeedbackParser.Parse(good.AsSpan(0, 23))); // deltas cut
        var reserved = (byte[])good.Clone();
        reserved[20] = 0xFF; // two-bit vector with reserved symbol 3
        Assert.Null(TransportFeedbackParser.Parse(reserved));
        var zeroCount = (byte[])good.Clone();
        zeroCount[15] = 0;
        Assert.Null(TransportFeedbackParser.Parse(zeroCount));
        var manyChunksMissing = (byte[])good.Clone();
        manyChunksMissing[14] = 0x40; // 16388 statuses: over the cap
        Assert.Null(TransportFeedbackParser.Parse(manyChunksMissing));
    }

    [Fact]
    public void Random_arrival_patterns_round_trip()
    {
        Gen.Select(Gen.Int[1, 600], Gen.Int[0, int.MaxValue]).Sample((count, seed) =>
        {
            var random = new Random(seed);
            var arrivals = new long[count];
            long t = random.NextInt64(0, 1L << 37); // reference time stays inside its signed 24 bits
            for (int i = 0; i < count; i++)
            {
                t += random.Next(-5_000, 80_000);
                arrivals[i] = i > 0 && random.Next(4) == 0 ? -1 : Math.Max(0, t);
            }

            var b = new byte[TransportFeedbackWriter.MaxLength(count)];
            int n = TransportFeedbackWriter.Write(b, 9, 8, (ushort)seed, 3, arrivals);
            Assert.Equal(0, n % 4);
            var fb = Assert.Single(RtcpReport.Parse(b.AsSpan(0, n))!.TransportFeedbacks);
            Assert.Equal(count, fb.Packets.Count);
            for (int i = 0; i < count; i++)
            {
                Assert.Equal(arrivals[i] >= 0, fb.Packets[i].Received);
                if (arrivals[i] >= 0)
                {
                    Assert.Equal(arrivals[i] / 250 * 250, fb.Packets[i].ArrivalOffsetUs);
                }
            }
        }, iter: 300, threads: 1);
    }

    [Fact]
    public void Recorder_reports_each_number_once_with_losses_and_ignores_late_and_duplicate_packets()
    {
        var rec = new TransportCcRecorder();
        var b = new byte[TransportFeedbackWriter.MaxLength(TransportCcRecorder.MaxPacketsPerFeedback)];
        rec.OnPacket(65534, 1_000_000);
        rec.OnPacket(1, 1_002_000); // 65535 and 0 lost, across the wrap
        rec.OnPacket(1, 1_003_000); // duplicate
        rec.OnPacket(65535, 1_004_000); // reordered, still unreported: kept (a negative delta)
        rec.OnPacket(65000, 1_004_500); // before the first number we saw: dropped
        var fb = TransportFeedbackParser.Parse(b.AsSpan(0, rec.WriteFeedback(b, 1, 2)));
        Assert.NotNull(fb);
        Assert.Equal(65534, fb!.BaseSequence);
        Assert.Equal([true, true, false, true], fb.Packets.Select(p => p.Received));
        Assert.Equal([1_000_000L, 1_004_000, 0, 1_002_000], fb.Packets.Select(p => p.ArrivalOffsetUs));
        Assert.Equal(0, rec.WriteFeedback(b, 1, 2)); // nothing new
        rec.OnPacket(0, 1_005_000); // reported lost already: too late
        rec.OnPacket(2, 1_006_000);
        fb = TransportFeedbackParser.Parse(b.AsSpan(0, rec.WriteFeedback(b, 1, 2)));
        Assert.Equal(2, fb!.BaseSequence);
        Assert.Single(fb.Packets);
        Assert.Equal(1, fb.FeedbackCount);
        Assert.Equal(3, rec.Dropped);
    }

    [Fact]
    public void Recorder_splits_long_runs_and_long_gaps()
    {
        var rec = new TransportCcRecorder();
        var b = new byte[TransportFeedbackWriter.MaxLength(TransportCcRecorder.MaxPacketsPerFeedback)];
        for (int i = 0; i < 500; i++)
        {
            rec.OnPacket((ushort)i, 1000L * i);
        }

        rec.OnPacket(500, 60_000_000); // a minute later: no 16-bit delta reaches it
        var first = TransportFeedbackParser.Parse(b.AsSpan(0, rec.WriteFeedback(b, 1, 2)))!;
        var second = TransportFeedbackParser.Parse(b.AsSpan(0, rec.WriteFeedback(b, 1, 2)))!;
        var third = TransportFeedbackParser.Parse(b.AsSpan(0, rec.WriteFeedback(b, 1, 2)))!;
        Assert.Equal((0, 300), (first.BaseSequence, first.Packets.Count));
        Assert.Equal((300, 200), (second.BaseSequence, second.Packets.Count));
        Assert.Equal((500, 1), (third.BaseSequence, third.Packets.Count));
        Assert.All(first.Packets.Concat(second.Packets).Concat(third.Packets), p => Assert.True(p.Received));
    }

    [Fact]
    public void Adapter_matches_feedback_and_ignores_unknown_replayed_and_old_numbers()
    {
        var adapter = new TransportFeedbackAdapter();
        var observer = new Collect();
        adapter.Observer = observer;
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal((ushort)i, adapter.OnPacketSent(1000 + i, 100 * i));
        }

        var statuses = new[] { new TransportPacketStatus(3, true, 5000), new TransportPacketStatus(4, false, 0), new TransportPacketStatus(40, true, 1) };
        var fb = new TransportFeedback(1, 2, 3, 0, 0, statuses);
        Assert.Equal(2, adapter.OnFeedback(fb, 0));
        Assert.Equal(new PacketResult(3, 300, 1003, true, 5000), observer.Results[0]);
        Assert.False(observer.Results[1].Received);
        Assert.Equal(1, adapter.OnFeedback(fb, 0)); // replay: 3 already reported received, 40 never sent; 4 may still arrive
        Assert.Equal(1, adapter.PacketsReported);
        Assert.Equal(3, adapter.Ignored);
        for (int i = 10; i < TransportFeedbackAdapter.HistorySize + 20; i++)
        {
            adapter.OnPacketSent(1200, i);
        }

        Assert.Equal(0, adapter.OnFeedback(new TransportFeedback(1, 2, 5, 0, 0, [new TransportPacketStatus(5, true, 0)]), 0)); // too old
    }

    [Fact]
    public void Adapter_matches_a_resent_packet_with_its_resend_time()
    {
        var adapter = new TransportFeedbackAdapter();
        var observer = new Collect();
        adapter.Observer = observer;
        for (int i = 0; i < 10; i++)
        {
            adapter.OnPacketSent(1000, 100 * i);
        }

        adapter.OnResent(3, 50_000); // the original was lost; the copy is what arrives
        adapter.OnResent(60_000, 1); // never sent: ignored
        adapter.OnFeedback(new TransportFeedback(1, 2, 3, 0, 0, [new TransportPacketStatus(3, true, 9000), new TransportPacketStatus(4, true, 9100)]), 0);
        Assert.Equal([50_000L, 400], observer.Results.Select(r => r.SendTimeUs));
        adapter.OnResent(3, 70_000); // already reported received: stays
        adapter.OnFeedback(new TransportFeedback(1, 2, 3, 0, 0, [new TransportPacketStatus(3, false, 0)]), 0);
        Assert.Equal(2, observer.Results.Count);
    }

    private sealed class Collect : ITransportFeedbackObserver
    {
        public List<PacketResult> Results { get; } = new();

        public void OnPacketResults(IReadOnlyList<PacketResult> results, long nowUs) => Results.AddRange(results);
    }
}
