using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace PersonaLive.TestSupport;

/// <summary>
/// A TCP listener on 127.0.0.1 inside a <see cref="TestNetwork"/>'s namespace that forwards each
/// connection to a server on this host's 127.0.0.1 (same port). A browser in the namespace then opens the app at
/// <c>http://127.0.0.1:PORT</c> exactly as a user on the app's machine opens the printed URL: a secure
/// context (camera allowed) over plain HTTP, while its WebRTC media takes the namespace's real link.
/// The listening socket is created with the creating thread switched into the namespace (setns(2)
/// affects only that thread, which switches back at once); the socket stays in the namespace.
/// </summary>
internal sealed class NamespaceLoopbackForward : IDisposable
{
    private const int CloneNewNet = 0x40000000;
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
    public static NamespaceLoopbackForward Start(TestNetwork network, IPEndPoint target)
    {
        Socket? listener = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var home = File.OpenHandle("/proc/thread-self/ns/net");
                using var inside = File.OpenHandle($"/var/run/netns/{network.Namespace}");
                Check(setns(inside, CloneNewNet), "enter");
                try
                {
                    listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    listener.Bind(new IPEndPoint(IPAddress.Loopback, target.Port));
                    listener.Listen(64);
                }
                finally
                {
                    Check(setns(home, CloneNewNet), "leave");
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        });
        thread.Start();
        thread.Join();
        if (failure is not null || listener is null)
        {
            throw new InvalidOperationException($"Could not listen on 127.0.0.1:{target.Port} in {network.Namespace}: {failure?.Message}", failure);
        }

        return new NamespaceLoopbackForward(listener, target);
    }

    private static void Check(int status, string what)
    {
        if (status != 0)
        {
            throw new InvalidOperationException($"setns ({what} the test namespace) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(SafeFileHandle fd, int nstype);

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
