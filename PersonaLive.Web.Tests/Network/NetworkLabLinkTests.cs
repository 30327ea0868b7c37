using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PersonaLive.TestSupport;

namespace PersonaLive.Web.Tests.Network;

/// <summary>
/// The network lab's link does what a scenario says: the round trip is twice the one-way delay, the
/// token bucket caps throughput at the bottleneck rate (and follows a change made while traffic flows),
/// loss takes about the configured share, and nothing is left behind: namespaces go with the lab, and a
/// lab whose process died is removed by the next one.
/// </summary>
public sealed class NetworkLabLinkTests
{
    private static NetworkLab CreateLab()
    {
        var lab = NetworkLab.TryCreate(out var problem);
        if (lab is null) Prerequisite.Missing(problem!);
        return lab;
    }

    private static Socket Udp(string ns, IPAddress address) => NetnsThread.Run(ns, () =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 2000 };
        socket.Bind(new IPEndPoint(address, 0));
        return socket;
    });

    [Fact]
    public void Round_trip_is_twice_the_one_way_delay_and_the_bucket_caps_the_rate()
    {
        using var lab = CreateLab();
        using var server = Udp(lab.ServerNamespace, lab.ServerAddress);
        using var client = Udp(lab.ClientNamespace, lab.ClientAddress);
        var echo = Loop("echo", () =>
        {
            var buffer = new byte[2048];
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            while (true)
            {
                int n = server.ReceiveFrom(buffer, ref from);
                if (n == 8) server.SendTo(buffer.AsSpan(0, n), from);
            }
        });

        lab.Shape(new LinkShape(0, 40));
        var rtts = new List<double>();
        var reply = new byte[64];
        for (int i = 0; i < 10; i++)
        {
            var clock = Stopwatch.StartNew();
            client.SendTo(new byte[8], server.LocalEndPoint!);
            client.Receive(reply);
            rtts.Add(clock.Elapsed.TotalMilliseconds);
        }

        rtts.Sort();
        Assert.InRange(rtts[5], 79, 400); // 2 x 40 ms; generous above for a loaded machine
        server.Dispose();
        echo.Join();

        // 400 kbit/s: 1,000-byte datagrams far faster than that for 2 s; the rate is what the far side sees arrive.
        lab.Shape(new LinkShape(400, 0));
        double kbps = ArrivalRateKbps(client, lab, TimeSpan.FromSeconds(2));
        TestContext.Current.SendDiagnosticMessage($"400 kbit/s bucket: {kbps:0} kbit/s arrived; round trip median {rtts[5]:0.0} ms");
        Assert.InRange(kbps, 300, 480);

        // Changed while running: 4x the rate gives about 4x as much.
        lab.Shape(new LinkShape(1600, 0));
        double faster = ArrivalRateKbps(client, lab, TimeSpan.FromSeconds(2));
        TestContext.Current.SendDiagnosticMessage($"1600 kbit/s bucket: {faster:0} kbit/s arrived");
        Assert.InRange(faster, 1200, 1900);
    }

    /// <summary>
    /// Offers far more than the bucket passes for <paramref name="duration"/> and returns the rate at which
    /// datagrams arrived on the server side, from the first arrival to the last (so a late wake-up of this
    /// test's own threads on a loaded machine does not count as link time). The receiving thread is a
    /// dedicated one and its socket buffer holds seconds of traffic, so nothing the link delivered is lost here.
    /// </summary>
    private static double ArrivalRateKbps(Socket client, NetworkLab lab, TimeSpan duration)
    {
        using var sink = Udp(lab.ServerNamespace, lab.ServerAddress);
        sink.ReceiveBufferSize = 4 << 20;
        sink.ReceiveTimeout = 1000; // ends the count once the queue has drained
        long bytesAfterFirst = 0, first = 0, last = 0;
        var counting = Loop("sink", () =>
        {
            var buffer = new byte[2048];
            while (true)
            {
                int n = sink.Receive(buffer);
                long now = Stopwatch.GetTimestamp();
                if (first == 0) first = now;
                else bytesAfterFirst += n;
                last = now;
            }
        });
        var payload = new byte[1000];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            // Bursts of 8 a millisecond: well above the bucket's rate even when a loaded machine wakes this loop late.
            for (int i = 0; i < 8; i++) client.SendTo(payload, sink.LocalEndPoint!);
            Thread.Sleep(1);
        }

        counting.Join();
        double seconds = (last - first) / (double)Stopwatch.Frequency;
        Assert.True(seconds > 1, $"datagrams arrived over {seconds:0.00} s only");
        return bytesAfterFirst * 8 / 1000.0 / seconds;
    }

    /// <summary>Runs a blocking socket loop on its own thread until its socket times out or is closed.</summary>
    private static Thread Loop(string name, Action body)
    {
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }) { IsBackground = true, Name = name };
        thread.Start();
        return thread;
    }

    [Fact]
    public void Loss_takes_about_the_configured_share_random_and_in_bursts()
    {
        using var lab = CreateLab();
        using var server = Udp(lab.ServerNamespace, lab.ServerAddress);
        using var client = Udp(lab.ClientNamespace, lab.ClientAddress);
        server.ReceiveBufferSize = 4 << 20;
        server.ReceiveTimeout = 1000;
        const int Sent = 4000;
        foreach (var shape in new[] { new LinkShape(0, 0, 20), new LinkShape(0, 0, 20, 4) })
        {
            lab.Shape(shape);
            var before = lab.Counts.Up;
            int got = 0;
            var counting = Loop("count", () =>
            {
                var buffer = new byte[64];
                while (true)
                {
                    server.Receive(buffer);
                    got++;
                }
            });
            for (int i = 0; i < Sent; i++)
            {
                client.SendTo(new byte[20], server.LocalEndPoint!);
                if (i % 20 == 19) Thread.Sleep(1);
            }

            counting.Join(); // ends a second after the last datagram
            var after = lab.Counts.Up;
            long forwarded = after.Forwarded - before.Forwarded, dropped = after.Dropped - before.Dropped;
            double share = dropped / (double)(forwarded + dropped);

            TestContext.Current.SendDiagnosticMessage($"{shape}: {share:P1} dropped, {got} of {forwarded} forwarded arrived");

            // 20 % +- 6 points: over 4 sigma even for the bursts (mean spell 4 packets: the count's spread is ~2.3x the random one's).
            Assert.True(share is >= 0.14 and <= 0.26, $"{share:P1} of {forwarded + dropped} datagrams dropped with {shape}");
            Assert.InRange(forwarded + dropped, Sent, Sent + 20); // every datagram crossed the path's reader (and maybe a stray packet of the kernel's)
            Assert.InRange(got, forwarded - 20, forwarded); // and what was not dropped arrived
        }
    }

    [Fact]
    public void Disposing_removes_the_namespaces_and_a_dead_process_lab_is_cleaned_up_by_the_next()
    {
        string stale = $"{NetworkLab.Prefix}3999999-abc";
        if (TestNetwork.Ip("netns", "add", stale + "s") is { } problem) Prerequisite.Missing(problem); // pid 3999999 runs nowhere
        string ns;
        using (var lab = CreateLab())
        {
            ns = lab.ServerNamespace;
            Assert.Contains(ns, List());
            Assert.DoesNotContain(stale + "s", List());
        }

        Assert.DoesNotContain(ns, List());
    }

    private static string List()
    {
        var psi = new ProcessStartInfo("ip", "netns list") { RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return output;
    }
}
