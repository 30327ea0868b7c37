using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.WebRtc.Dtls;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>
/// A DTLS association after its handshake holds no thread, yet still answers a retransmitted flight and
/// notices close_notify: the records are pumped when a datagram arrives.
/// </summary>
public sealed class DtlsAfterHandshakeTests
{
    [Fact]
    public async Task Lost_final_flight_is_resent_by_the_pump_and_close_notify_is_noticed_without_a_thread()
    {
        var serverCert = DtlsCertificate.Generate();
        var clientCert = DtlsCertificate.Generate();
        var serverPool = new DtlsHandshakePool(1);
        var clientPool = new DtlsHandshakePool(1);
        int dropsLeft = 2;
        // The server's last flight (change_cipher_spec, then Finished at epoch 1) is lost once: the
        // client retransmits its own last flight, which reaches a server whose handshake is over.
        bool LoseFinalFlight(ReadOnlySpan<byte> d)
        {
            bool finalFlight = d[0] == 20 || (d[0] == 22 && BinaryPrimitives.ReadUInt16BigEndian(d[3..]) == 1);
            return finalFlight && Interlocked.Decrement(ref dropsLeft) >= 0;
        }

        DtlsSession? server = null, client = null;
        server = new DtlsSession(true, serverCert, "sha-256", SHA256.HashData(clientCert.Der),
            d => { if (!LoseFinalFlight(d.Span)) client!.Enqueue(d.Span); }, NullLogger.Instance, 30000, serverPool);
        client = new DtlsSession(false, clientCert, "sha-256", SHA256.HashData(serverCert.Der),
            d => server.Enqueue(d.Span), NullLogger.Instance, 30000, clientPool);
        var serverUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var clientUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var serverClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Connected += _ => serverUp.TrySetResult();
        client.Connected += _ => clientUp.TrySetResult();
        server.Failed += e => serverUp.TrySetException(e);
        client.Failed += e => clientUp.TrySetException(e);
        server.Closed += () => serverClosed.TrySetResult();
        server.Start();
        client.Start();
        var ct = TestContext.Current.CancellationToken;
        await serverUp.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);
        await clientUp.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);

        Assert.True(dropsLeft < 0, "the server's final flight was never lost, so nothing was retransmitted");
        Assert.Equal(1, serverPool.Completed); // the server's handshake thread had ended before the client finished
        await WaitFor(() => serverPool.Running + clientPool.Running == 0, ct);

        client.Dispose(); // close_notify
        await serverClosed.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        server.Dispose();
        Assert.Equal(0, serverPool.Running + clientPool.Running);
    }

    private static async Task WaitFor(Func<bool> condition, CancellationToken ct)
    {
        for (int i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25, ct);
        }

        Assert.True(condition());
    }
}
