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
    public async Task Round_trip_is_twice_the_one_way_delay_and_the_bucket_caps_the_rate()
    {
        using var lab = CreateLab();
        using var server = Udp(lab.ServerNamespace, lab.ServerAddress);
        using var client = Udp(lab.ClientNamespace, lab.ClientAddress);
        var echo = Task.Run(() =>
        {
            var buffer = new byte[2048];
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            try
            {
                while (true)
                {
                    int n = server.ReceiveFrom(buffer, ref from);
                    if (n == 8) server.SendTo(buffer.AsSpan(0, n), from);
                }
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        }, TestContext.Current.CancellationToken);

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

        // 400 kbit/s: 1,000-byte datagrams far faster than that for 2 s; the far side counts what the bucket lets through.
        lab.Shape(new LinkShape(400, 0));
        var (received, seconds) = await Blast(client, lab, TimeSpan.FromSeconds(2));
        double kbps = received * 8 / 1000.0 / seconds;
        Assert.InRange(kbps, 200, 520);

        // Changed while running: 4x the rate gives clearly more.
        lab.Shape(new LinkShape(1600, 0));
        var (faster, seconds2) = await Blast(client, lab, TimeSpan.FromSeconds(2));
        Assert.InRange(faster * 8 / 1000.0 / seconds2, 2 * kbps, 1900);
        server.Dispose();
        await echo;
    }

    /// <summary>Counts the bytes arriving at the server namespace's side while the client sends for <paramref name="duration"/>.</summary>
    private static async Task<(long Bytes, double Seconds)> Blast(Socket client, NetworkLab lab, TimeSpan duration)
    {
        using var sink = Udp(lab.ServerNamespace, lab.ServerAddress);
        long bytes = 0;
        var counting = Task.Run(() =>
        {
            var buffer = new byte[2048];
            try
            {
                while (true) Interlocked.Add(ref bytes, sink.Receive(buffer));
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }
        });
        var payload = new byte[1000];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            // Bursts of 8: well above the bucket's rate even when a loaded machine wakes this loop late.
            for (int i = 0; i < 8; i++) client.SendTo(payload, sink.LocalEndPoint!);
            await Task.Delay(1);
        }

        await Task.Delay(600); // what the queue still holds drains
        double seconds = clock.Elapsed.TotalSeconds;
        sink.Dispose();
        await counting;
        return (Interlocked.Read(ref bytes), seconds);
    }

    [Fact]
    public async Task Loss_takes_about_the_configured_share_random_and_in_bursts()
    {
        using var lab = CreateLab();
        using var server = Udp(lab.ServerNamespace, lab.ServerAddress);
        using var client = Udp(lab.ClientNamespace, lab.ClientAddress);
        server.ReceiveTimeout = 500;
        foreach (var shape in new[] { new LinkShape(0, 0, 20), new LinkShape(0, 0, 20, 4) })
        {
            lab.Shape(shape);
            int got = 0;
            var counting = Task.Run(() =>
            {
                var buffer = new byte[64];
                try
                {
                    while (true)
                    {
                        server.Receive(buffer);
                        got++;
                    }
                }
                catch (SocketException)
                {
                }
            }, TestContext.Current.CancellationToken);
            for (int i = 0; i < 1000; i++)
            {
                client.SendTo(new byte[20], server.LocalEndPoint!);
                if (i % 20 == 19) await Task.Delay(2, TestContext.Current.CancellationToken);
            }

            await counting; // ends 500 ms after the last datagram
            Assert.True(got is >= 700 and <= 880, $"{got} of 1,000 datagrams arrived with {shape}"); // 20 % lost, give or take
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
