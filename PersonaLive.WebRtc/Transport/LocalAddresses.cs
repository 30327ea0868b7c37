using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace PersonaLive.WebRtc.Transport;

/// <summary>
/// The machine's usable unicast addresses, read once when the media server starts: every address of every
/// interface that is up (loopback included; Linux reports it as "unknown" rather than "up"), IPv4 and
/// IPv6, without IPv6 link-local addresses (a browser could only use them together with a zone index,
/// which an SDP host candidate cannot carry). Browsers pair their own candidates with these host
/// candidates (RFC 8445 section 5.1.1.1), so each one must be an address a datagram can arrive on.
/// </summary>
public static class LocalAddresses
{
    /// <summary>Non-loopback addresses first (what a browser on another machine can reach), loopback last.</summary>
    public static IReadOnlyList<IPAddress> Gather()
    {
        var found = new List<IPAddress>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (nic.OperationalStatus is not (OperationalStatus.Up or OperationalStatus.Unknown))
            {
                continue;
            }

            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                if (IsUsable(unicast.Address) && !found.Contains(unicast.Address))
                {
                    found.Add(unicast.Address);
                }
            }
        }

        return found.OrderBy(a => IPAddress.IsLoopback(a) ? 1 : 0).ThenBy(a => a.AddressFamily == AddressFamily.InterNetworkV6 ? 1 : 0).ToList();
    }

    /// <summary>True for addresses a host candidate may carry: IPv4 or IPv6, not any/broadcast, not IPv6 link-local or multicast.</summary>
    public static bool IsUsable(IPAddress address) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.Broadcast),
        AddressFamily.InterNetworkV6 => !address.IsIPv6LinkLocal && !address.IsIPv6Multicast && !address.Equals(IPAddress.IPv6Any)
            && !address.IsIPv4MappedToIPv6,
        _ => false,
    };

    /// <summary>True for 0.0.0.0 and ::, which bind every address at once.</summary>
    public static bool IsWildcard(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
}
