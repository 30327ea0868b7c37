using System.Diagnostics;
using System.Net;

namespace PersonaLive.TestSupport;

/// <summary>
/// A network for one test: a network namespace joined to this host by a veth pair, both ends with a
/// private /30 address that no other interface uses. A browser started inside the namespace sees only
/// that link, so its ICE candidates and all its traffic go to the host end (where the test's server
/// listens) and nowhere else: no loopback switch needed, nothing on the machine's external interface.
/// Names carry the process id and a counter; <see cref="Dispose"/> removes both namespace and link.
/// Needs root and iproute2 (<c>ip netns</c>); <see cref="TryCreate"/> says why not otherwise.
/// </summary>
internal sealed class TestNetwork : IDisposable
{
    private static int s_counter;
    private readonly string _hostLink;
    private bool _disposed;

    private TestNetwork(string name, string hostLink, IPAddress host, IPAddress inside)
    {
        Namespace = name;
        _hostLink = hostLink;
        HostAddress = host;
        NamespaceAddress = inside;
    }

    /// <summary>The namespace's name (for <c>ip netns exec</c>).</summary>
    public string Namespace { get; }

    /// <summary>This host's end of the link: where servers under test listen and what they announce.</summary>
    public IPAddress HostAddress { get; }

    /// <summary>The namespace's end of the link (the browser's address).</summary>
    public IPAddress NamespaceAddress { get; }

    /// <summary>Creates the namespace and link, or returns null with the reason (not root, no iproute2, no namespaces).</summary>
    public static TestNetwork? TryCreate(out string? problem)
    {
        problem = null;
        if (!File.Exists("/usr/sbin/ip") && !File.Exists("/usr/bin/ip") && !File.Exists("/sbin/ip"))
        {
            problem = "iproute2 is not installed (apt-get install iproute2)";
            return null;
        }

        int n = Interlocked.Increment(ref s_counter);
        int pid = Environment.ProcessId % 1_000_000;
        string name = $"plt{pid}n{n}";
        string hostLink = $"plh{pid}n{n}";
        string innerLink = $"pli{pid}n{n}";
        var (host, inside) = FreeSubnet(pid, n);
        var network = new TestNetwork(name, hostLink, host, inside);
        string? failure = Ip("netns", "add", name)
            ?? Ip("link", "add", hostLink, "type", "veth", "peer", "name", innerLink)
            ?? Ip("link", "set", innerLink, "netns", name)
            ?? Ip("addr", "add", $"{host}/30", "dev", hostLink)
            ?? Ip("link", "set", hostLink, "up")
            ?? Ip("netns", "exec", name, "ip", "addr", "add", $"{inside}/30", "dev", innerLink)
            ?? Ip("netns", "exec", name, "ip", "link", "set", innerLink, "up")
            ?? Ip("netns", "exec", name, "ip", "link", "set", "lo", "up");
        if (failure is not null)
        {
            network.Dispose();
            problem = $"could not create a test network namespace (needs root): {failure}";
            return null;
        }

        return network;
    }

    /// <summary>
    /// Gives the namespace a default route via the host end, fenced by an nftables rule that drops every
    /// packet leaving the namespace for anything but the link's /30 and loopback. Firefox picks the
    /// interface of the default route for its ICE host candidate (it learns it without sending a packet);
    /// with no default route it offers none. The fence keeps all traffic on the test link. Null on success, else why not.
    /// </summary>
    public string? AddFencedDefaultRoute()
    {
        string subnet = $"{NamespaceAddress}/30";
        return Ip("netns", "exec", Namespace, "nft", "add", "table", "inet", "persona_fence")
            ?? Ip("netns", "exec", Namespace, "nft", "add", "chain", "inet", "persona_fence", "out", "{ type filter hook output priority 0 ; }")
            ?? Ip("netns", "exec", Namespace, "nft", "add", "rule", "inet", "persona_fence", "out", "oifname", "lo", "accept")
            ?? Ip("netns", "exec", Namespace, "nft", "add", "rule", "inet", "persona_fence", "out", "ip", "daddr", subnet, "accept")
            ?? Ip("netns", "exec", Namespace, "nft", "add", "rule", "inet", "persona_fence", "out", "drop")
            ?? Ip("netns", "exec", Namespace, "ip", "route", "add", "default", "via", HostAddress.ToString());
    }

    /// <summary><c>ip netns exec NAME</c> followed by <paramref name="command"/>: a command line that runs inside the namespace.</summary>
    public IReadOnlyList<string> Inside(params string[] command) => ["ip", "netns", "exec", Namespace, .. command];

    /// <summary>Runs <c>ip ARGS</c>; null on success, else what it printed.</summary>
    public static string? Ip(params string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        try
        {
            using var p = Process.Start(psi)!;
            string err = p.StandardError.ReadToEnd();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? null : $"ip {string.Join(' ', args)}: {err.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"ip: {e.Message}";
        }
    }

    /// <summary>A 10.x.y.0/30 no interface of this host uses yet (parallel test processes pick by pid and counter).</summary>
    private static (IPAddress Host, IPAddress Inside) FreeSubnet(int pid, int n)
    {
        var used = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(u => u.Address.ToString()).ToHashSet();
        for (int attempt = 0; attempt < 3520; attempt++)
        {
            int k = (pid * 7 + n * 13 + attempt) % 3520;
            int second = 200 + k / 64, third = k % 64 * 4;
            string hostText = $"10.{second}.{third}.1";
            if (!used.Contains(hostText))
            {
                return (IPAddress.Parse(hostText), IPAddress.Parse($"10.{second}.{third}.2"));
            }
        }

        throw new InvalidOperationException("No free 10.200-254.x.0/30 subnet for a test network.");
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Ip("netns", "del", Namespace);
        Ip("link", "del", _hostLink); // usually gone with the namespace's end already
    }
}
