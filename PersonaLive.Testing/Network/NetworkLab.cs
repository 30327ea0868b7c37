using System.Diagnostics;
using System.Net;

namespace PersonaLive.TestSupport;

/// <summary>
/// A network lab for one test or benchmark: two network namespaces, the server's and the client's, joined
/// by one point-to-point link (10.99.0.1 and 10.99.0.2; the namespaces are private, so every lab may use
/// the same addresses). Each side's end of the link is a TUN device whose egress carries a kernel token
/// bucket (<c>tc tbf</c>: the bottleneck rate and its queue); this process carries the packets between
/// the two devices and adds the one-way delay and the random or Gilbert-Elliott loss (<see cref="ImpairedPath"/>),
/// which is what <c>tc netem</c> on a veth pair would do: the kernels these tests run on are built without
/// netem. <see cref="Shape(LinkShape, LinkShape)"/> changes either direction while traffic flows (a capacity step). Nothing
/// else is in the namespaces, so all traffic between the sides crosses the shaped link and none leaves the machine.
/// <para>Names are <c>plab&lt;pid&gt;-&lt;n&gt;s</c> and <c>…c</c> (namespaces and the devices inside
/// them): unique per process and lab. <see cref="Dispose"/> stops the paths and deletes both namespaces;
/// <see cref="Create"/> first deletes labs left by processes that no longer run (a crashed test).
/// Needs root, <c>/dev/net/tun</c> and iproute2; <see cref="TryCreate"/> says why not otherwise.</para>
/// </summary>
internal sealed class NetworkLab : IDisposable
{
    /// <summary>Prefix of every lab namespace; stale ones are found by it.</summary>
    public const string Prefix = "plab";

    private static int s_counter = Random.Shared.Next(0, 4096);
    private readonly List<IDisposable> _parts = [];
    private ImpairedPath? _down, _up;
    private bool _disposed;

    private NetworkLab(string name)
    {
        ServerNamespace = name + "s";
        ClientNamespace = name + "c";
    }

    /// <summary>The server side's namespace (our host's media socket, or the aiortc peer).</summary>
    public string ServerNamespace { get; }

    /// <summary>The client side's namespace (synthetic client, Chromium).</summary>
    public string ClientNamespace { get; }

    /// <summary>The server end's address.</summary>
    public IPAddress ServerAddress { get; } = IPAddress.Parse("10.99.0.1");

    /// <summary>The client end's address.</summary>
    public IPAddress ClientAddress { get; } = IPAddress.Parse("10.99.0.2");

    /// <summary>Server to client (the animated output), as last set.</summary>
    public LinkShape Downlink { get; private set; } = LinkShape.Open;

    /// <summary>Client to server (the camera), as last set.</summary>
    public LinkShape Uplink { get; private set; } = LinkShape.Open;

    /// <summary>Creates the lab (unshaped), or returns null with the reason.</summary>
    public static NetworkLab? TryCreate(out string? problem)
    {
        problem = null;
        if (!File.Exists("/usr/sbin/tc") && !File.Exists("/sbin/tc"))
        {
            problem = "iproute2 (ip, tc) is not installed (apt-get install iproute2)";
            return null;
        }

        if (!File.Exists("/dev/net/tun"))
        {
            problem = "/dev/net/tun is missing (the lab's link needs TUN devices)";
            return null;
        }

        RemoveStale();
        int n = Interlocked.Increment(ref s_counter) % 4096;
        var lab = new NetworkLab($"{Prefix}{Environment.ProcessId}-{n:x3}");
        string s = lab.ServerNamespace, c = lab.ClientNamespace;
        string? failure = TestNetwork.Ip("netns", "add", s) ?? TestNetwork.Ip("netns", "add", c);
        if (failure is null)
        {
            try
            {
                var serverEnd = NetnsThread.Run(s, () => TunDevice.Create(s));
                lab._parts.Add(serverEnd);
                var clientEnd = NetnsThread.Run(c, () => TunDevice.Create(c));
                lab._parts.Add(clientEnd);
                failure = lab.Configure(s, lab.ServerAddress, lab.ClientAddress) ?? lab.Configure(c, lab.ClientAddress, lab.ServerAddress);
                lab._down = new ImpairedPath(serverEnd, clientEnd, s + " down");
                lab._up = new ImpairedPath(clientEnd, serverEnd, s + " up");
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                failure = e.Message;
            }
        }

        if (failure is not null)
        {
            lab.Dispose();
            problem = $"could not create the network lab (needs root): {failure}";
            return null;
        }

        return lab;
    }

    /// <summary>Creates the lab or throws with the reason.</summary>
    public static NetworkLab Create() => TryCreate(out var problem) ?? throw new InvalidOperationException(problem);

    /// <summary>Sets both directions (applied at once, packets in flight keep their fate).</summary>
    public void Shape(LinkShape downlink, LinkShape uplink)
    {
        ArgumentNullException.ThrowIfNull(downlink);
        ArgumentNullException.ThrowIfNull(uplink);
        string? failure = Install(ServerNamespace, downlink, "change") ?? Install(ClientNamespace, uplink, "change");
        if (failure is not null) throw new InvalidOperationException($"tc failed: {failure}");
        _down!.Shape = downlink;
        _up!.Shape = uplink;
        Downlink = downlink;
        Uplink = uplink;
    }

    /// <summary>Sets the same shape on both directions.</summary>
    public void Shape(LinkShape both) => Shape(both, both);

    /// <summary>What tc reports for one side's qdiscs (for logs and tests).</summary>
    public string Describe(bool server) => Run("ip", ["netns", "exec", server ? ServerNamespace : ClientNamespace, "tc", "-s", "qdisc", "show"]).Output;

    /// <summary><c>ip netns exec NS</c> followed by <paramref name="command"/>: a command line that runs in the client's or server's namespace.</summary>
    public IReadOnlyList<string> Inside(bool server, params string[] command) =>
        ["ip", "netns", "exec", server ? ServerNamespace : ClientNamespace, .. command];

    /// <summary>Addresses the namespace's end of the link, brings it and loopback up, and adds the open token bucket.</summary>
    private string? Configure(string ns, System.Net.IPAddress local, System.Net.IPAddress peer) =>
        Inside(ns, "ip", "addr", "add", local.ToString(), "peer", peer.ToString(), "dev", ns)
        ?? Inside(ns, "ip", "link", "set", ns, "up")
        ?? Inside(ns, "ip", "link", "set", "lo", "up")
        ?? Install(ns, LinkShape.Open, "add");

    /// <summary>The token bucket at the root of the namespace's end (<paramref name="verb"/> is add or change); delay and loss are the paths'.</summary>
    private static string? Install(string ns, LinkShape shape, string verb)
    {
        var rated = shape.RateKbit > 0 ? shape : shape with { RateKbit = 10_000_000 };
        return Inside(ns, ["tc", "qdisc", verb, "dev", ns, "root", "handle", "1:", "tbf", .. rated.TbfArguments()]);
    }

    /// <summary>Packets each direction delivered and dropped by the emulated loss.</summary>
    public ((long Forwarded, long Dropped) Down, (long Forwarded, long Dropped) Up) Counts => (_down?.Counts ?? default, _up?.Counts ?? default);

    private static string? Inside(string ns, params string[] command) => TestNetwork.Ip(["netns", "exec", ns, .. command]);

    /// <summary>Deletes lab namespaces whose creating process is gone (found by <see cref="Prefix"/> and the pid in the name).</summary>
    public static int RemoveStale()
    {
        int removed = 0;
        foreach (var line in Run("ip", ["netns", "list"]).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string name = line.Split(' ')[0];
            if (!name.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            int dash = name.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0 || !int.TryParse(name.AsSpan(Prefix.Length, dash - Prefix.Length), out int pid)) continue;
            if (pid == Environment.ProcessId || Directory.Exists($"/proc/{pid}")) continue;
            if (TestNetwork.Ip("netns", "del", name) is null) removed++;
        }

        return removed;
    }

    private static (int Code, string Output) Run(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _down?.Dispose();
        _up?.Dispose();
        foreach (var part in _parts) part.Dispose();
        TestNetwork.Ip("netns", "del", ServerNamespace);
        TestNetwork.Ip("netns", "del", ClientNamespace);
    }
}
