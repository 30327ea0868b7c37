using PersonaLive.WebRtc.Media;
using PersonaLive.WebRtc.Media.Congestion;
using PersonaLive.WebRtc.Rtcp;
using PersonaLive.WebRtc.Rtcp.TransportCc;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>
/// The transport-wide congestion-control loop runs for every packet and every 50 ms per direction, so
/// in steady state it must make no garbage: the sender numbers packets, the receiver records their
/// arrivals and writes a feedback behind an RR (a compound packet), the sender parses it into a reused
/// report and matches it to what it sent, and the delay-based estimator consumes the results. After a
/// warm-up (lists at their size, JIT done) a hundred such rounds allocate no byte on this thread.
/// </summary>
public sealed class TransportCcAllocationTests
{
    [Fact]
    public void Feedback_round_trip_allocates_nothing_in_steady_state()
    {
        var adapter = new TransportFeedbackAdapter();
        var estimator = new DelayBasedEstimator(1000, 100, 4000);
        adapter.Observer = estimator;
        var recorder = new TransportCcRecorder();
        var report = new RtcpReport();
        var buffer = new byte[1500];
        long now = 1_000_000;
        int matched = 0, unread = 0;

        void Round()
        {
            for (int i = 0; i < 8; i++, now += 4_000)
            {
                ushort seq = adapter.OnPacketSent(1200, now);
                if (i != 3)
                {
                    recorder.OnPacket(seq, now + 20_000); // one packet of eight is lost
                }
            }

            int n = RtcpWriter.WriteReceiverReport(buffer, 7, []);
            n += recorder.WriteFeedback(buffer.AsSpan(n), 7, 9);
            if (!report.Read(buffer.AsSpan(0, n)) || report.TransportFeedbackHeaders.Count != 1 || report.ReportBlocks.Count != 0)
            {
                unread++; // no assertion in the measured loop: the assertion library may allocate
                return;
            }

            matched += adapter.OnFeedback(report.PacketsOf(0), now);
        }

        for (int i = 0; i < 50; i++)
        {
            Round();
        }

        matched = 0;
        long reported = adapter.PacketsReported;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            Round();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, unread);
        Assert.Equal(100 * 8, matched); // every packet sent has a result, the lost one too
        Assert.Equal(100 * 7, adapter.PacketsReported - reported);
        Assert.Equal(0, allocated);
    }
}
