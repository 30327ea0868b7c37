using System.Net;
using System.Net.Sockets;

namespace PersonaLive.TestSupport;

/// <summary>
/// A TCP listener on 127.0.0.1 inside a <see cref="TestNetwork"/>'s namespace that forwards each
/// connection to a server on this host's 127.0.0.1 (same port). A browser in the namespace then opens the app at
/// <c>http://127.0.0.1:PORT</c> exactly as a user on the app's machine opens the printed URL: a secure
/// context (camera allowed) over plain HTTP, while its WebRTC media takes the namespace's real link.
/// The listening socket is created in the namespace (<see cref="NetnsThread"/>); the socket stays there.
/// </summary>
internal sealed class NamespaceLoopbackForward : IDisposable
{
    private readonly Socket _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();

    private NamespaceLoopbackForward(Socket listener, IPEndPoint target)
    {
        _listener = listener;
        _target = target;
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _ = AcceptLoop();
    }

    /// <summary>The port on 127.0.0.1 inside the namespace (the same number as the target's when it was free there).</summary>
    public int Port { get; }

    /// <summary>Starts forwarding 127.0.0.1:<paramref name="target"/>.Port in the namespace to <paramref name="target"/>.</summary>
    public static NamespaceLoopbackForward Start(TestNetwork network, IPEndPoint target) => Start(network.Namespace, target);

    /// <summary>Starts forwarding 127.0.0.1:<paramref name="target"/>.Port in namespace <paramref name="ns"/> to <paramref name="target"/>.</summary>
    public static NamespaceLoopbackForward Start(string ns, IPEndPoint target)
    {
        var listener = NetnsThread.Run(ns, () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Loopback, target.Port));
                socket.Listen(64);
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        });
        return new NamespaceLoopbackForward(listener, target);
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            _ = Pipe(client);
        }
    }

    private async Task Pipe(Socket client)
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using (client)
        {
            try
            {
                await server.ConnectAsync(_target, _stop.Token);
                await using var a = new NetworkStream(client, ownsSocket: false);
                await using var b = new NetworkStream(server, ownsSocket: false);
                var up = a.CopyToAsync(b, _stop.Token);
                var down = b.CopyToAsync(a, _stop.Token);
                await Task.WhenAny(up, down);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
    }
}
