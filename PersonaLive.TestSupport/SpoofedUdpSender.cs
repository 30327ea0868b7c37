using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace PersonaLive.TestSupport;

/// <summary>
/// Sends UDP datagrams on loopback with a forged source port through a raw IPv4 socket (needs root or
/// CAP_NET_RAW): the kernel writes the IP header (source 127.0.0.1), we write the UDP header with the
/// victim peer's port, so the receiver cannot tell the datagram from one its real peer sent.
/// </summary>
internal sealed class SpoofedUdpSender : IDisposable
{
    private readonly Socket _raw;
    private readonly IPEndPoint _forgedSource;
    private readonly IPEndPoint _destination;

    private SpoofedUdpSender(Socket raw, IPEndPoint forgedSource, IPEndPoint destination)
    {
        _raw = raw;
        _forgedSource = forgedSource;
        _destination = destination;
    }

    /// <summary>Opens the raw socket; skips the test (fails under CI) when the process may not.</summary>
    public static SpoofedUdpSender Open(IPEndPoint forgedSource, IPEndPoint destination)
    {
        if (!IPAddress.IsLoopback(forgedSource.Address) || !IPAddress.IsLoopback(destination.Address))
        {
            throw new ArgumentException("Spoofed datagrams stay on loopback.");
        }

        try
        {
            return new SpoofedUdpSender(new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Udp), forgedSource, destination);
        }
        catch (SocketException e)
        {
            Prerequisite.Missing($"a raw socket (root or CAP_NET_RAW) to forge source ports: {e.Message}");
            throw; // unreachable
        }
    }

    /// <summary>Sends one datagram that appears to come from the forged source.</summary>
    public void Send(ReadOnlySpan<byte> payload)
    {
        var packet = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(packet, (ushort)_forgedSource.Port);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)_destination.Port);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)packet.Length);
        // checksum 0: "no checksum" for UDP over IPv4 (RFC 768)
        payload.CopyTo(packet.AsSpan(8));
        _raw.SendTo(packet, new IPEndPoint(_destination.Address, 0));
    }

    public void Dispose() => _raw.Dispose();
}
