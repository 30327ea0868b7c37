using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using PersonaLive.WebRtc.Dtls;

namespace PersonaLive.WebRtc.Tests.Media;

/// <summary>Our BouncyCastle DTLS server against our client, in memory, with fragmentation and loss.</summary>
public sealed class DtlsTests
{
    private sealed record Outcome(SrtpKeyingMaterial? Server, SrtpKeyingMaterial? Client, Exception? ServerError, Exception? ClientError);

    private static async Task<Outcome> Handshake(bool tamperFingerprint, bool lossy = false)
    {
        var serverCert = DtlsCertificate.Generate();
        var clientCert = DtlsCertificate.Generate();
        byte[] clientFp = SHA256.HashData(clientCert.Der);
        if (tamperFingerprint)
        {
            clientFp[0] ^= 1;
        }

        // Lossy mode drops fixed datagrams: the second ClientHello fragment, the server's first flight
        // start, and the client's second flight start; retransmission must repair all of them.
        int fromServer = 0, fromClient = 0;
        bool DropFromServer() => lossy && Interlocked.Increment(ref fromServer) is 1;
        bool DropFromClient() => lossy && Interlocked.Increment(ref fromClient) is 2 or 3;
        DtlsSession? server = null, client = null;
        server = new DtlsSession(true, serverCert, "sha-256", clientFp, d => { if (!DropFromServer()) client!.Enqueue(d.Span); }, NullLogger.Instance, 30000);
        client = new DtlsSession(false, clientCert, "sha-256", SHA256.HashData(serverCert.Der), d => { if (!DropFromClient()) server.Enqueue(d.Span); }, NullLogger.Instance, 30000);
        var serverDone = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var clientDone = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Connected += k => serverDone.TrySetResult(k);
        server.Failed += e => serverDone.TrySetResult(e);
        client.Connected += k => clientDone.TrySetResult(k);
        client.Failed += e => clientDone.TrySetResult(e);
        server.Start();
        client.Start();
        var ct = TestContext.Current.CancellationToken;
        var s = await serverDone.Task.WaitAsync(TimeSpan.FromSeconds(45), ct);
        var c = await clientDone.Task.WaitAsync(TimeSpan.FromSeconds(45), ct);
        server.Dispose();
        client.Dispose();
        return new Outcome(s as SrtpKeyingMaterial, c as SrtpKeyingMaterial, s as Exception, c as Exception);
    }

    [Fact]
    public async Task Handshake_exports_matching_srtp_keys_with_gcm_preferred()
    {
        var o = await Handshake(tamperFingerprint: false);
        Assert.NotNull(o.Server);
        Assert.NotNull(o.Client);
        Assert.Equal(PersonaLive.WebRtc.Srtp.SrtpProfile.AeadAes128Gcm, o.Server!.Profile);
        Assert.Equal(o.Server.LocalKey, o.Client!.RemoteKey);
        Assert.Equal(o.Server.LocalSalt, o.Client.RemoteSalt);
        Assert.Equal(o.Server.RemoteKey, o.Client.LocalKey);
        Assert.NotEqual(o.Server.LocalKey, o.Server.RemoteKey);
    }

    [Fact]
    public async Task Wrong_fingerprint_aborts_the_handshake()
    {
        var o = await Handshake(tamperFingerprint: true);
        Assert.Null(o.Server);
        Assert.Null(o.Client);
        Assert.NotNull(o.ServerError);
    }

    [Fact]
    public async Task Handshake_survives_datagram_loss_by_retransmission()
    {
        var o = await Handshake(tamperFingerprint: false, lossy: true);
        Assert.NotNull(o.Server);
        Assert.Equal(o.Server!.LocalKey, o.Client!.RemoteKey);
    }
}
